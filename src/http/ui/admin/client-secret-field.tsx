import { adminPaths } from "../../admin/admin-paths.ts";

/** Shown in full only right after it was generated; afterwards only its existence is shown. */
export function ClientSecretField(props: { recordSysId: string | null; publicClient: boolean; freshSecret: string | undefined }) {
  if (props.recordSysId === null) {
    return (
      <div class="field">
        <span class="label">Client Secret</span>
        <p class="readonly-value muted">Generated when you submit, and shown once.</p>
      </div>
    );
  }
  if (props.publicClient) {
    return (
      <div class="field">
        <span class="label">Client Secret</span>
        <p class="readonly-value muted">A public client has no secret; it proves itself with PKCE.</p>
      </div>
    );
  }
  return (
    <div class="field">
      <label for="client_secret">Client Secret</label>
      {props.freshSecret ? (
        <>
          <div class="secret-row">
            <input type="text" id="client_secret" readonly value={props.freshSecret} class="mono" aria-describedby="client_secret-hint" />
            <button type="button" class="btn btn-small" data-copy="client_secret" hidden>
              Copy
            </button>
          </div>
          <p class="hint hint-warn" id="client_secret-hint" role="status">
            Copy this secret now. It is shown only this once; the instance keeps only its hash.
          </p>
        </>
      ) : (
        <div class="secret-row">
          <input type="password" id="client_secret" readonly value="••••••••••••••••" aria-describedby="client_secret-hint" />
          <a class="btn btn-small btn-quiet" href={adminPaths.registryRegenerate(props.recordSysId)}>
            Regenerate
          </a>
        </div>
      )}
      {props.freshSecret ? null : (
        <p class="hint" id="client_secret-hint">
          Stored as a hash and never shown again. Regenerate to issue a new one; the current one then stops working.
        </p>
      )}
    </div>
  );
}
