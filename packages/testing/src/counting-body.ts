/**
 * A chunked form body of `totalBytes` that counts how much of it anyone pulled — for tests that
 * show an unauthenticated body is refused after reading (almost) none of it.
 */
export function countingBody(totalBytes: number, chunkBytes = 65_536): { stream: ReadableStream<Uint8Array>; counter: { pulled: number } } {
  const counter = { pulled: 0 };
  const chunk = new TextEncoder().encode("a=".padEnd(chunkBytes, "b"));
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (counter.pulled >= totalBytes) return controller.close();
        counter.pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, counter };
}
