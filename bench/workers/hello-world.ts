/** The floor of request overhead on this runtime: a Worker that does nothing. */
export default {
  fetch(): Response {
    return new Response("hello");
  },
};
