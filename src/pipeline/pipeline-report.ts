import type { StoredText } from "../i18n/stored-text.ts";
import type { Step } from "./pipeline-plan.ts";

export interface EdgeState {
  edge: string;
  direction: string;
  provider: string;
  status: "ok" | "broken";
  /** Worded for the reader by trustTable; recorded on the instances as its catalog text, so each page words it in its reader's language. */
  detail: StoredText;
  tokenExpiresAt: string;
  /** The token renews itself when next used (a refresh token held, or client_credentials): past its expiry the edge still works. */
  tokenRenewable?: boolean;
}

export interface PipelineReport {
  ok: boolean;
  changes: number;
  steps: Step[];
  /** What differs from the plan, worded for the reader by the CLI and recorded as catalog texts. */
  drift: StoredText[];
  /** Instances a read-only run could not use, each with its cause and cure; the directions that need one are broken in `edges`. */
  unusable: StoredText[];
  edges: EdgeState[];
  /** Instances of an older version that refused to record this kind of run: their Pipeline page still shows an earlier one. */
  unrecorded: string[];
}

/** Only what the instance said: an older one does not say whether its token renews. */
export const renewable = (connection: { renewable?: boolean } | undefined): { tokenRenewable?: boolean } => (connection?.renewable === undefined ? {} : { tokenRenewable: connection.renewable });
