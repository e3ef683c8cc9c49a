package dev.blastwall.http.client;

import dev.blastwall.http.HttpRemoteFailure;
import dev.blastwall.relay.IncomingVerdict;
import java.net.http.HttpResponse;

/**
 * An HTTP answer with a status of 400 or more, as {@link BlastwallHttpClient} raises it: the failure in core's
 * terms, with the whole response (its headers and the body as the call's body handler read it).
 */
public final class HttpStatusFailure extends HttpRemoteFailure {

  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // a failure is not serialised with its response; the status and message carry over
  private final transient HttpResponse<?> response;

  HttpStatusFailure(IncomingVerdict verdict, HttpResponse<?> response) {
    super(verdict, response.statusCode(), null);
    this.response = response;
  }

  /** The response that carried the failure status. */
  public HttpResponse<?> response() {
    return response;
  }
}
