/**
 * What the downstream saw for one message, reduced to the facts the ordering tests check.
 */
import type { DownstreamRequest } from "../../../harness/downstream.ts";

/** Whether the downstream answered `request` with a 2xx. */
export function is2xx(request: DownstreamRequest): boolean {
  return request.answered !== undefined && request.answered >= 200 && request.answered < 300;
}

/** For each CloudEvent id, its first request answered 2xx; in arrival order. */
export function firstDeliveries(requests: readonly DownstreamRequest[]): DownstreamRequest[] {
  const seen = new Set<string>();
  const firsts: DownstreamRequest[] = [];
  for (const request of requests) {
    const id = request.event?.id;
    if (id === undefined || !is2xx(request) || seen.has(id)) continue;
    seen.add(id);
    firsts.push(request);
  }
  return firsts;
}

/** The `sequence` attributes of `requests`, as numbers, in the given order. */
export function sequences(requests: readonly DownstreamRequest[]): number[] {
  return requests.map((request) => Number(request.event?.sequence));
}

/**
 * Requests that broke the per-message order: a request for sequence n > 1 that arrived before sequence n − 1
 * had been answered 2xx. Empty when forwarding was strictly in order (head-of-line) for this message.
 */
export function outOfOrder(requests: readonly DownstreamRequest[]): DownstreamRequest[] {
  const delivered = new Set<number>();
  const broken: DownstreamRequest[] = [];
  for (const request of requests) {
    const sequence = Number(request.event?.sequence);
    if (sequence > 1 && !delivered.has(sequence - 1)) broken.push(request);
    if (is2xx(request)) delivered.add(sequence);
  }
  return broken;
}

/** How many 2xx answers each CloudEvent id got. */
export function deliveryCounts(requests: readonly DownstreamRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of requests) {
    const id = request.event?.id;
    if (id !== undefined && is2xx(request)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
