import { nearest } from "../../domain/edit-distance.ts";
import { badRequest } from "./errors.ts";
import type { Query } from "./parameters.ts";

/**
 * The sysparm_* names each REST API takes: those it reads, and those the platform documents for
 * it (or its clients send it) that it accepts and ignores. Any other sysparm_* name is a 400. The
 * platform ignores a misspelt one, so `sysparm_qeury=priority=1` answers with every record, and a
 * script that updates what a query returns updates them all.
 */
export interface SysparmVocabulary {
  /** As an error names it: "the Table API". */
  api: string;
  read: readonly string[];
  ignored: readonly string[];
}

/**
 * pysnow's Resource puts these on every request to any API path, empty or at its defaults
 * (params_builder.py): an API that has no use for one still accepts it.
 */
const pysnowResourceDefaults = [
  "sysparm_query",
  "sysparm_limit",
  "sysparm_offset",
  "sysparm_display_value",
  "sysparm_suppress_pagination_header",
  "sysparm_exclude_reference_link",
  "sysparm_view",
  "sysparm_fields",
];

/** Read-replica routing, documented for the Table API's GET, the Aggregate API and the Attachment API's GET (KB2649787). */
const queryCategories = ["sysparm_query_category", "sysparm_read_replica_category"];

function vocabulary(api: string, read: readonly string[], accepted: readonly string[]): SysparmVocabulary {
  return { api, read, ignored: [...new Set(accepted.filter((name) => !read.includes(name)))] };
}

export const tableAPISysparms = vocabulary(
  "the Table API",
  [
    "sysparm_query",
    "sysparm_fields",
    "sysparm_limit",
    "sysparm_offset",
    "sysparm_display_value",
    "sysparm_exclude_reference_link",
    "sysparm_suppress_pagination_header",
    "sysparm_no_count",
    "sysparm_input_display_value",
  ],
  [
    ...queryCategories,
    // Documented: a form view (sysparm_fields wins over it), domain separation this instance has
    // not got, and skipping sys_updated_on and the like on a write.
    "sysparm_view",
    "sysparm_query_no_domain",
    "sysparm_suppress_auto_sys_field",
    // pysnow's legacy count adds it to the request parameters its client shares, so every later
    // Table API call from that client carries it (legacy_request.py).
    "sysparm_count",
  ],
);

export const aggregateAPISysparms = vocabulary(
  "the Aggregate API",
  ["sysparm_query", "sysparm_count", "sysparm_avg_fields", "sysparm_min_fields", "sysparm_max_fields", "sysparm_sum_fields", "sysparm_group_by", "sysparm_having", "sysparm_order_by", "sysparm_display_value"],
  [...queryCategories, ...pysnowResourceDefaults],
);

/** The list and a record's metadata read their parameters as the Table API does, which PySNC relies on. */
export const attachmentAPISysparms = vocabulary(
  "the Attachment API",
  ["sysparm_query", "sysparm_limit", "sysparm_offset", "sysparm_fields", "sysparm_display_value", "sysparm_exclude_reference_link", "sysparm_suppress_pagination_header", "sysparm_no_count"],
  [...queryCategories, ...pysnowResourceDefaults],
);

/** The platform documents no sysparm_* parameter for the Import Set API. */
export const importSetAPISysparms = vocabulary("the Import Set API", [], pysnowResourceDefaults);

/** Names the platform's JSONv2 web service and list exports take, which scripts carry over, with the REST word for them. */
const carriedOver: Readonly<Record<string, string>> = { sysparm_record_count: "sysparm_limit", sysparm_first_row: "sysparm_offset" };

const maxEdits = 2;

/**
 * Refuses a parameter that is sysparm_* (in any case) and not one `vocabulary` holds, or that is
 * within two edits of one (`sysparam_query`, `sysparm-query`): a name-value pair so spelt names
 * no field anyway.
 */
export function rejectUnknownSysparms(query: Query, vocabulary: SysparmVocabulary): void {
  const known = [...vocabulary.read, ...vocabulary.ignored];
  for (const name of Object.keys(query)) {
    if (known.includes(name)) continue;
    const lower = name.toLowerCase();
    const carried = carriedOver[lower];
    const suggestion = carried && known.includes(carried) ? carried : nearest(lower, known, maxEdits);
    if (suggestion === undefined && !lower.startsWith("sysparm")) continue;
    const shown = name.slice(0, 60);
    if (carried && suggestion === carried) throw badRequest(`the parameter ${shown} is not one ${vocabulary.api} takes (the JSONv2 web service and list exports do); did you mean ${suggestion}?`);
    if (suggestion) throw badRequest(`the parameter ${shown} is not one ${vocabulary.api} takes; did you mean ${suggestion}?`);
    throw badRequest(`the parameter ${shown} is not one ${vocabulary.api} takes; ${vocabulary.read.length === 0 ? "it reads no sysparm_* parameter" : `it reads ${vocabulary.read.join(", ")}`}`);
  }
}
