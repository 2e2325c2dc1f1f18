import { randomBytes } from "node:crypto";
import { Command } from "commander";
import { hashPassword } from "../../domain/passwords.ts";
import { minPasswordLength, parseEmail, parseNameParts, parseRoleName, parseRoleNames, userNamePattern } from "../../domain/user-account.ts";
import { NotFoundError, ValidationError } from "../../domain/validation.ts";
import { grantUserRole, listUsers, removeUserRole, setUserActive, setUserPassword, type UserListing } from "../../store/user-admin-store.ts";
import { createUser, findUserByName, rolesOf } from "../../store/user-store.ts";
import { configFor, type DataOptions, withDataOption, withInstance } from "../instance-options.ts";
import { type Output, table } from "../output.ts";
import { translator, type Translator } from "../../i18n/translator.ts";

/** Passwords come from stdin (so they stay out of shell history and `ps`) or are generated. */
async function passwordFrom(options: { passwordStdin?: boolean }, i18n: Translator): Promise<{ password: string; generated: boolean }> {
  if (!options.passwordStdin) return { password: randomBytes(18).toString("base64url"), generated: true };
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
  if (password.length < minPasswordLength) throw new ValidationError([{ field: "password", message: i18n.t("cli.user.passwordRule", { min: minPasswordLength }) }]);
  return { password, generated: false };
}

/** A user as `--json` shows it: what the Users page shows, never the password hash. */
function userRecord(u: UserListing) {
  return { sys_id: u.sysId, user_name: u.userName, name: u.name, first_name: u.firstName, last_name: u.lastName, email: u.email, active: u.active, roles: u.roles, has_password: u.hasPassword, locked_until: u.lockedUntil };
}

/** Active, and a lockout still running (failed sign-ins): the account cannot sign in until then, though active. */
function activeCell(i18n: Translator, u: UserListing, now = Date.now()): string {
  const active = i18n.t(u.active ? "cli.client.yes" : "cli.client.no");
  return u.lockedUntil !== null && u.lockedUntil > now ? `${active} (${i18n.t("cli.user.lockedUntil", { time: i18n.dateTime(u.lockedUntil) })})` : active;
}

export function userCommand(output: Output, env: NodeJS.ProcessEnv, i18n: Translator = translator("en")): Command {
  const { t } = i18n;
  const user = new Command("user").description(t("help.user"));

  withDataOption(user.command("create <user_name>").description(t("help.user.create")), i18n)
    .option("--role <role>", t("help.user.role"), (v: string, p: string[] = []) => [...p, v])
    .option("--name <name>", t("help.user.name"))
    .option("--first-name <name>", t("help.user.firstName"))
    .option("--last-name <name>", t("help.user.lastName"))
    .option("--email <address>", t("help.user.email"))
    .option("--password-stdin", t("help.user.passwordStdin"))
    .action(async (userName: string, options: DataOptions & { role?: string[]; name?: string; firstName?: string; lastName?: string; email?: string; passwordStdin?: boolean }) => {
      if (!userNamePattern.test(userName)) throw new ValidationError([{ field: "user_name", message: t("cli.user.nameRule") }]);
      const parts = parseNameParts({ first_name: options.firstName, last_name: options.lastName });
      const email = parseEmail(options.email);
      // The admin UI's rule for a role name, before anything is asked or written.
      const roles = parseRoleNames(options.role ?? []);
      const { password, generated } = await passwordFrom(options, i18n);
      await withInstance(configFor(options, env), output, i18n, async (instance) => {
        if (await findUserByName(instance.store.db, userName)) throw new ValidationError([{ field: "user_name", message: t("cli.user.exists", { name: userName }) }]);
        // As grant does: a role no one had is made here, and said, so a typo such as "admn" does not pass unseen.
        const known = roles.length ? new Set((await instance.store.db.selectFrom("sys_user_role").select("name").where("name", "in", roles).execute()).map((r) => r.name)) : new Set<string>();
        const names = { name: options.name, firstName: parts.first_name, lastName: parts.last_name, email };
        await createUser(instance.store.db, { userName, ...names, passwordHash: await hashPassword(password), roles }, "admin");
        for (const role of roles) if (!known.has(role)) output.err(t("cli.user.roleCreated", { role }));
        output.out(roles.length ? t("cli.user.createdWithRoles", { name: userName, roles: roles.join(", ") }) : t("cli.user.created", { name: userName }));
        if (generated) output.out(t("cli.user.passwordOnce", { password }));
      }, { mayCreate: true });
    });

  withDataOption(user.command("set-password <user_name>").description(t("help.user.setPassword")), i18n)
    .option("--password-stdin", t("help.user.passwordStdin"))
    .action(async (userName: string, options: DataOptions & { passwordStdin?: boolean }) => {
      const { password, generated } = await passwordFrom(options, i18n);
      await withInstance(configFor(options, env), output, i18n, async (instance) => {
        const found = await findUserByName(instance.store.db, userName);
        if (!found) throw new NotFoundError(t("cli.user.notFound", { name: userName }));
        await setUserPassword(instance.store.db, found.sysId, await hashPassword(password), { actor: "admin" });
        output.out(t("cli.user.passwordChanged", { name: userName }));
        if (generated) output.out(t("cli.user.passwordOnce", { password }));
      });
    });

  withDataOption(user.command("grant <user_name> <role>").description(t("help.user.grant")), i18n).action(async (userName: string, roleGiven: string, options: DataOptions) => {
    const role = parseRoleName(roleGiven);
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const found = await findUserByName(instance.store.db, userName);
      if (!found) throw new NotFoundError(t("cli.user.notFound", { name: userName }));
      // A role no one has yet is made on first grant (as custom roles are); say so, so a typo such as "admn" does not pass unseen.
      const known = await instance.store.db.selectFrom("sys_user_role").select("sys_id").where("name", "=", role).executeTakeFirst();
      await grantUserRole(instance.store.db, found.sysId, role, "admin");
      if (!known) output.err(t("cli.user.roleCreated", { role }));
      output.out(t("cli.user.nowHasRoles", { name: userName, roles: (await rolesOf(instance.store.db, found.sysId)).join(", ") }));
    });
  });

  withDataOption(user.command("revoke <user_name> <role>").description(t("help.user.revoke")), i18n).action(async (userName: string, role: string, options: DataOptions) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const found = await findUserByName(instance.store.db, userName);
      if (!found) throw new NotFoundError(t("cli.user.notFound", { name: userName }));
      // Nothing to take (a typo, or never granted): said, so it does not pass for done.
      if (!(await rolesOf(instance.store.db, found.sysId)).includes(role)) output.err(t("cli.user.roleNotHeld", { name: userName, role }));
      await removeUserRole(instance.store.db, found.sysId, role, "admin");
      const roles = await rolesOf(instance.store.db, found.sysId);
      output.out(roles.length > 0 ? t("cli.user.nowHasRoles", { name: userName, roles: roles.join(", ") }) : t("cli.user.noRoles", { name: userName }));
    });
  });

  withDataOption(user.command("list").description(t("help.user.list")).option("--json", t("help.option.json")), i18n).action(async (options: DataOptions & { json?: boolean }) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const users = await listUsers(instance.store.db);
      if (options.json) return output.out(JSON.stringify(users.map(userRecord), null, 2));
      output.out(
        table(
          [t("cli.heading.userName"), t("cli.heading.name"), t("cli.heading.active"), t("cli.heading.roles")],
          users.map((u) => [u.userName, u.name, activeCell(i18n, u), u.roles.join(", ")]),
        ),
      );
    });
  });

  // The Users page's switch: deactivating ends the user's sessions and revokes their live tokens at once.
  for (const active of [true, false]) {
    withDataOption(user.command(`${active ? "activate" : "deactivate"} <user_name>`).description(t(active ? "help.user.activate" : "help.user.deactivate")), i18n).action(async (userName: string, options: DataOptions) => {
      await withInstance(configFor(options, env), output, i18n, async (instance) => {
        const found = await findUserByName(instance.store.db, userName);
        if (!found) throw new NotFoundError(t("cli.user.notFound", { name: userName }));
        if (found.active === active) return output.out(t(active ? "cli.user.alreadyActive" : "cli.user.alreadyInactive", { name: userName }));
        await setUserActive(instance.store.db, found.sysId, active, "admin");
        output.out(t(active ? "cli.user.activated" : "cli.user.deactivated", { name: userName }));
      });
    });
  }

  return user;
}
