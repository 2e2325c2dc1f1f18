import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ValidationError } from "../../src/domain/validation.ts";
import { createUserAccount } from "../../src/store/user-admin-store.ts";
import { dialectsUnderTest, migratedStore } from "../support/stores.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`two creations of one user name at once on ${dialect.name}`, () => {
    const handle = migratedStore(dialect);

    test("both pass the name check; the one that loses at the unique index is told the name is taken, and one user is left", async () => {
      const input = (email: string) => ({ userName: "twin", name: "Twin", firstName: "", lastName: "", email, passwordHash: "x", roles: ["itil"] });
      const outcomes = await Promise.allSettled([createUserAccount(handle.store.db, input("a@example.com"), "admin"), createUserAccount(handle.store.db, input("b@example.com"), "admin")]);
      const refused = outcomes.filter((outcome) => outcome.status === "rejected");
      assert.equal(refused.length, 1, JSON.stringify(outcomes.map((outcome) => outcome.status)));
      const reason = (refused[0] as PromiseRejectedResult).reason;
      assert.ok(reason instanceof ValidationError, String(reason));
      assert.deepEqual(reason.issues.map((problem) => [problem.field, problem.key, problem.message]), [["user_name", "validation.userExists", 'a user "twin" already exists']]);
      const users = await handle.store.db.selectFrom("sys_user").select("sys_id").where("user_name", "=", "twin").execute();
      assert.equal(users.length, 1);
      const audits = await handle.store.db.selectFrom("sys_audit").select("documentkey").where("tablename", "=", "sys_user").where("newvalue", "in", ["twin", "+itil"]).execute();
      assert.deepEqual(new Set(audits.map((row) => row.documentkey)), new Set([users[0]!.sys_id]), "the loser wrote no history");
    });
  });
}
