/** A request as both hosts (local server, Lambda function URL) see it once the body is read. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-cased names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly rawBody: Buffer;
  /** When the request was received, epoch millis. */
  readonly receivedAt: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse>;

export const json = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): HttpResponse => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(body)
});

/** Every error answer has the same shape: `{"error": {"code", "message"}}`. */
export const errorResponse = (status: number, code: string, message: string): HttpResponse => json(status, { error: { code, message } });

export const MAX_BODY_BYTES = 1024 * 1024;
