import { isJSONRPCErrorResponse, isJSONRPCResultResponse, type McpServer, type Transport } from "@modelcontextprotocol/server";

/** What a built server's current exchange did, as seen from its transport. */
export interface ExchangeWatch {
  /** It was connected to a transport since the last `reset()`. */
  readonly connected: boolean;
  /**
   * The exchange's answer (a JSON-RPC result or error) went out since the last `reset()`. The SDK
   * sends a request's answer only after its handler returned or threw, so nothing of that
   * exchange is still running on the server.
   */
  readonly answered: boolean;
  /** Called each time the server's transport closes. */
  onClosed: (() => void) | undefined;
  /** Starts a new lease: forgets the previous exchange. */
  reset(): void;
}

/**
 * Watches a built server's exchanges, so a pool hands it out again only once its last exchange
 * was answered. An exchange that closed unanswered (the client went away, a stream was cancelled,
 * a tool still runs) may still have a handler that sends notifications through whatever transport
 * the server holds next — another caller's — so such a server is never reused. `closeWhenAnswered`:
 * close the transport once the answer is out (the 2025 stateless transport does not close itself).
 *
 * The SDK offers no public hook for "this exchange is over and its handler has returned", so this
 * wraps the instance's own `connect` and its transport's `send` (an upstream request, see
 * docs/performance.md).
 */
export function watchExchanges(server: McpServer, options: { readonly closeWhenAnswered?: boolean } = {}): ExchangeWatch {
  const inner = server.server;
  const state = { connected: false, answered: false };
  const watch: ExchangeWatch = {
    get connected() {
      return state.connected;
    },
    get answered() {
      return state.answered;
    },
    onClosed: undefined,
    reset() {
      state.connected = false;
      state.answered = false;
    },
  };
  const connect = inner.connect.bind(inner);
  // An own property in front of the prototype's: every SDK serving entry connects through it.
  inner.connect = async (transport: Transport) => {
    state.connected = true;
    state.answered = false;
    const send = transport.send.bind(transport);
    transport.send = async (message, sendOptions) => {
      const isAnswer = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
      await send(message, sendOptions);
      if (!isAnswer) return;
      state.answered = true;
      if (options.closeWhenAnswered === true) await transport.close();
    };
    return connect(transport);
  };
  // The SDK's modern entry chains its own close handler in front of this one and restores it after each exchange.
  inner.onclose = () => watch.onClosed?.();
  return watch;
}
