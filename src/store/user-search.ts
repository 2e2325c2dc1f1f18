import type { Kysely } from "kysely";
import { containsAny, type ListQuery, listPageSize, pageWithin } from "./numbered-page.ts";
import type { Database } from "./schema.ts";
import { listUsersWhere, type UserListing } from "./user-admin-store.ts";

/** The Users list's sortable columns (roles and lockout are not columns of sys_user). */
export const userSortKeys = ["user_name", "name", "active", "sys_updated_on"] as const;
export type UserSortKey = (typeof userSortKeys)[number];

/** The text matches user name, name or email. */
export type UserQuery = ListQuery<UserSortKey>;

export interface UserPage {
  users: UserListing[];
  /** Every user the text matches, on all pages. */
  total: number;
  /** The page shown, after one past the end was brought back to the last. */
  page: number;
}

const matching = (text: string) => containsAny(["sys_user.user_name", "sys_user.name", "sys_user.email"], text);

export async function searchUsers(db: Kysely<Database>, query: UserQuery): Promise<UserPage> {
  let counting = db.selectFrom("sys_user");
  if (query.text) counting = counting.where(matching(query.text));
  const { count } = await counting.select((eb) => eb.fn.countAll().as("count")).executeTakeFirstOrThrow();
  const total = Number(count);
  const page = pageWithin(query.page, total);
  const users = await listUsersWhere(db, (q) =>
    (query.text ? q.where(matching(query.text)) : q)
      .orderBy(query.sort, query.direction)
      .orderBy("sys_id")
      .limit(listPageSize)
      .offset((page - 1) * listPageSize),
  );
  return { users, total, page };
}

/** How many users there are, for the overview. */
export async function countUsers(db: Kysely<Database>): Promise<number> {
  const { count } = await db.selectFrom("sys_user").select((eb) => eb.fn.countAll().as("count")).executeTakeFirstOrThrow();
  return Number(count);
}
