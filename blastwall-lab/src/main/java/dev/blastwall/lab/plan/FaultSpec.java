package dev.blastwall.lab.plan;

import dev.blastwall.lab.fault.Toxic;
import dev.blastwall.lab.internal.Args;
import dev.blastwall.lab.topology.ServiceTime;
import dev.blastwall.lab.topology.StatusNames;

/**
 * A fault applied to every replica of one service while it is active. Network faults act in the TCP proxy in
 * front of each replica; the others act in the service itself.
 */
public sealed interface FaultSpec
    permits FaultSpec.Network, FaultSpec.SlowDown, FaultSpec.Errors, FaultSpec.HardDown, FaultSpec.Hang,
        FaultSpec.ResponseLost {

  /** A short description for reports, e.g. "errors 50% UNAVAILABLE". */
  String describe();

  /** A toxic in the proxy (latency, bandwidth, blackhole, reset peer, slow close), with its own toxicity. */
  record Network(Toxic toxic) implements FaultSpec {
    @Override
    public String describe() {
      return "network " + toxic;
    }
  }

  /** The service's time changes to {@code serviceTime} (a latency change). */
  record SlowDown(ServiceTime serviceTime) implements FaultSpec {
    @Override
    public String describe() {
      return "service time " + serviceTime;
    }
  }

  /** A share {@code rate} of requests fails with {@code status}, without doing the work or calling onwards. */
  record Errors(double rate, String status) implements FaultSpec {
    /** Checks the rate and the status name. */
    public Errors {
      Args.inRange("rate", rate, 0, 1);
      StatusNames.check("status", status);
    }

    @Override
    public String describe() {
      return "errors " + Math.round(rate * 1000) / 10.0 + "% " + status;
    }
  }

  /** The service is down: its proxy refuses connections and resets open ones. */
  record HardDown() implements FaultSpec {
    @Override
    public String describe() {
      return "hard down";
    }
  }

  /** The service accepts calls and never answers them, like a stuck process; they stay open until cancelled. */
  record Hang() implements FaultSpec {
    @Override
    public String describe() {
      return "hangs (accepts, never answers)";
    }
  }

  /**
   * A share {@code rate} of requests is fully done (its effects committed and counted) and then its answer is lost:
   * the caller sees UNAVAILABLE, as when the connection drops after the commit.
   */
  record ResponseLost(double rate) implements FaultSpec {
    /** Checks the rate. */
    public ResponseLost {
      Args.inRange("rate", rate, 0, 1);
    }

    @Override
    public String describe() {
      return "response lost after commit " + Math.round(rate * 1000) / 10.0 + "%";
    }
  }
}
