import cluster from "node:cluster";
import type { Output } from "./output.ts";
import type { Translator } from "../i18n/translator.ts";

/** Resolves on the first SIGINT or SIGTERM; later ones (Ctrl-C reaches a cluster's workers too) are absorbed. */
export function untilStopped(output: Output, i18n: Translator): Promise<void> {
  return new Promise((resolve) => {
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      if (cluster.isPrimary) output.err(i18n.t("cli.start.stopping"));
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export interface CertificateReloadSignal {
  /** Serving over TLS: every SIGHUP from now on reloads, and one that came during start-up does so now. */
  serving(reload: () => void): void;
  /** No TLS: SIGHUP stops the process as it always has (README), one already received included. */
  release(): void;
}

/**
 * kill -HUP, listened for from the first line of start, as SIGTERM is: with no listener Node dies
 * of it on the spot, and start-up (migrations, which may take minutes, the development CA, a
 * cluster's workers loading) is when a supervisor's reload or certbot's deploy hook can land.
 * One that lands then is remembered and applied once serving rather than ignored: the certificate
 * is read early in start-up, so a renewal that signalled meanwhile would otherwise leave the old
 * certificate served until the next one, and the operator who sent it expects the files on disk
 * now to be the ones served.
 */
export function certificateReloadSignal(): CertificateReloadSignal {
  let received = false;
  let reload: (() => void) | undefined;
  const onHangup = () => {
    if (reload) reload();
    else received = true;
  };
  process.on("SIGHUP", onHangup);
  return {
    serving(next) {
      reload = next;
      if (received) next();
      received = false;
    },
    release() {
      process.off("SIGHUP", onHangup);
      // Without its listener the signal has Node's default action again: stop, as it would have.
      if (received) process.kill(process.pid, "SIGHUP");
    },
  };
}
