/**
 * An error the simulated API answers with. The message is stored without its
 * trailing newline; the reply adds it back, as PVE's `die "…\n"` leaves it there.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: {
      /** Per-parameter messages of a 400. */
      errors?: Record<string, string>;
      /** The proxy's own auth failures: delayed, and with an empty body. */
      fromProxy?: boolean;
    } = {},
  ) {
    super(message.replace(/\n+$/, ''));
  }
}

/** 400 `Parameter verification failed.` with the per-parameter messages. */
export function parameterError(errors: Record<string, string>): ApiError {
  return new ApiError(400, 'Parameter verification failed.', { errors });
}

/** A handler's `die`: 500 with the message as the reason phrase. */
export function handlerError(message: string): ApiError {
  return new ApiError(500, message);
}

/** The proxy refuses a request before any handler runs. */
export function proxyAuthError(message: 'No ticket' | 'Authentication failed!' | 'Permission denied - invalid csrf token'): ApiError {
  return new ApiError(401, message, { fromProxy: true });
}
