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
  PB_INTERNAL: { status: 500, message: 'internal server error' },
  // websocket wire errors (sent as {"type":"error"} or as a close code)
  PB_WS_BAD_JSON: { status: 0, message: 'frame is not valid JSON' },
  PB_WS_UNKNOWN_TYPE: { status: 0, message: 'unknown message type' },
  PB_SLOW_CONSUMER: { status: 0, message: 'client stopped reading; send buffer limit reached' },
  // configuration, CLI and scenarios
  PB_BAD_OPTION: { status: 0, message: 'invalid option' },
  PB_BAD_SCENARIO: { status: 0, message: 'invalid scenario' },
  PB_REMOTE_TARGET: { status: 0, message: 'non-loopback target refused (pass --allow-remote)' },
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
