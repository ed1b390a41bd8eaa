/**
 * The error catalogue: every error pushbench reports on purpose has a stable code,
 * listed here once (and in README "Error codes"). Programmer errors throw TypeError;
 * input and wire errors carry one of these codes.
 */

export const ERRORS = {
  // query strings and bodies (HTTP status in `status`)
  PB_BAD_QUERY: { status: 400, message: 'invalid query parameter' },
  PB_BAD_BODY: { status: 400, message: 'invalid request body' },
  PB_BODY_TOO_LARGE: { status: 413, message: 'request body too large' },
  PB_NOT_FOUND: { status: 404, message: 'not found' },
  PB_SHUTTING_DOWN: { status: 503, message: 'server is shutting down' },
  PB_REQUEST_TIMEOUT: { status: 408, message: 'request not received in time' },
  PB_TOO_MANY_CONNECTIONS: { status: 503, message: 'connection limit reached' },
  PB_BAD_REQUEST: { status: 400, message: 'malformed HTTP request' },
  PB_HEADERS_TOO_LARGE: { status: 431, message: 'request header fields too large' },
  PB_METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed' },
  PB_URI_TOO_LONG: { status: 414, message: 'request path too long' },
  PB_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'unsupported content type' },
  PB_UPGRADE_REQUIRED: { status: 426, message: 'this endpoint speaks WebSocket only' },
  PB_BAD_ORIGIN: { status: 403, message: 'Origin not allowed' },
  PB_BAD_HOST: { status: 421, message: 'Host header is not a loopback name' },
  PB_INTERNAL: { status: 500, message: 'internal server error' },
  // websocket wire errors (sent as {"type":"error"} or as a close code)
  PB_WS_BAD_JSON: { status: 0, message: 'frame is not valid JSON' },
  PB_WS_UNKNOWN_TYPE: { status: 0, message: 'unknown message type' },
  PB_WS_BINARY: { status: 0, message: 'binary frames are not accepted; send text' },
  PB_SLOW_CONSUMER: { status: 0, message: 'client stopped reading; send buffer limit reached' },
  // configuration, CLI and scenarios
  PB_BAD_OPTION: { status: 0, message: 'invalid option' },
  PB_BAD_SCENARIO: { status: 0, message: 'invalid scenario' },
  PB_REMOTE_TARGET: { status: 0, message: 'non-loopback target refused (pass --allow-remote)' },
  PB_TARGET_UNREACHABLE: { status: 0, message: 'the target server does not answer' },
  // runner
  PB_CHILD_CRASHED: { status: 0, message: 'a child process exited unexpectedly' },
  PB_CHILD_TIMEOUT: { status: 0, message: 'a child process did not answer in time' },
  PB_SLO_BREACHED: { status: 0, message: 'SLO breached' },
  PB_ENGINE_FAILED: { status: 0, message: 'load engine failed' },
  PB_BROWSER_FAILED: { status: 0, message: 'browser client failed' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** WebSocket close codes we send (1000–1015 are RFC 6455; 4000+ are ours). */
export const CLOSE_CODES = {
  /** Server shutting down. */
  GOING_AWAY: 1001,
  /** Frame larger than maxPayload (sent by ws itself). */
  MESSAGE_TOO_BIG: 1009,
  /** The server's connection limit (maxConnections) is reached: try again later. */
  TRY_AGAIN_LATER: 1013,
  /** Client stopped reading; its send buffer reached the limit. */
  SLOW_CONSUMER: 4008,
} as const;

/** An error with a stable code, an optional HTTP status and a list of problems (path + rule). */
export class PushbenchError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly problems: string[];

  constructor(code: ErrorCode, detail?: string, problems: string[] = []) {
    super(detail ? `${ERRORS[code].message}: ${detail}` : ERRORS[code].message);
    this.name = 'PushbenchError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.problems = problems;
  }

  toJSON(): { error: { code: ErrorCode; message: string; problems?: string[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.problems.length ? { problems: this.problems } : {}),
      },
    };
  }
}
