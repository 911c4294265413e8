/**
 * The bench's baseline Worker: reads the request body and answers 200 with a small JSON body, the least any
 * callback receiver must do. Its requests per second are what `ratio` in the bench result is measured against.
 */
export default {
  async fetch(request): Promise<Response> {
    if (request.method !== "POST") return Response.json({ ok: true });
    const body = await request.text();
    return Response.json({ accepted: body.length > 0 ? 1 : 0, duplicates: 0 });
  },
} satisfies ExportedHandler;
