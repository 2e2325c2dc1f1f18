import type { FastifyReply, FastifyRequest } from "fastify";
import { hashPassword } from "../../domain/passwords.ts";
import { sysIdPattern } from "../../domain/sys-id.ts";
import { parseNewPassword, parseNewUser, parseRoleName } from "../../domain/user-account.ts";
import { issue, ValidationError } from "../../domain/validation.ts";
import type { Instance } from "../../instance.ts";
import { listAudit } from "../../store/audit-listing.ts";
import { createUserAccount, findUserListing, grantUserRole, listRoles, removeUserRole, setUserActive, setUserPassword, type UserListing } from "../../store/user-admin-store.ts";
import { searchUsers, userSortKeys } from "../../store/user-search.ts";
import { fieldErrors, type FieldErrors } from "../ui/admin/components.tsx";
import { deactivateUserPage } from "../ui/admin/confirm-page.tsx";
import { adminErrorPage } from "../ui/admin/sign-in-page.tsx";
import { userPage } from "../ui/admin/user-page.tsx";
import { type NewUserForm, usersPage } from "../ui/admin/users-page.tsx";
import { type AdminContext, redirectToSignIn, requireAdmin, requireAdminForm, seeOther, sendAdminHTML } from "./admin-session.ts";
import { adminPaths } from "./admin-paths.ts";
import { setFlash, takeFlash } from "./flash.ts";
import { listQuery } from "./list-query.ts";
import { signInKeepingForm } from "./sign-in.ts";

type Handler = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<void>;

const blankUserForm: NewUserForm = { user_name: "", name: "", first_name: "", last_name: "", email: "", roles: "" };

/** The list a hundred to a page, filtered and sorted by query parameters, as the Application Registry's; the new-user form under it. */
async function renderUsers(instance: Instance, request: FastifyRequest, reply: FastifyReply, admin: AdminContext, status: number, extra: { form: NewUserForm; errors?: FieldErrors; flash?: string | undefined }) {
  const query = listQuery(request, userSortKeys, "user_name");
  const found = await searchUsers(instance.store.db, query);
  sendAdminHTML(reply, status, usersPage({ viewer: admin.viewer, found, query: { ...query, page: found.page }, form: extra.form, errors: extra.errors ?? {}, flash: extra.flash }));
}

export const usersList: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (admin) await renderUsers(instance, request, reply, admin, 200, { form: blankUserForm, flash: takeFlash(instance, request, reply, admin.session).message });
};

export const userCreate: Handler = async (instance, request, reply) => {
  const posted = await requireAdminForm(instance, request, reply, { whenSignedOut: signInKeepingForm });
  if (!posted) return;
  const { admin, form } = posted;
  const typed: NewUserForm = {
    user_name: form.get("user_name") ?? "",
    name: form.get("name") ?? "",
    first_name: form.get("first_name") ?? "",
    last_name: form.get("last_name") ?? "",
    email: form.get("email") ?? "",
    roles: form.get("roles") ?? "",
  };
  // Back from signing in again (sign-in.ts): the form with what was typed, the password to type again, nothing created.
  if (form.get("_action") === "restore") return renderUsers(instance, request, reply, admin, 200, { form: typed, flash: admin.viewer.i18n.t("resume.restored") });
  try {
    const input = parseNewUser({ ...typed, password: form.get("password") ?? "", roles: typed.roles.split(",").map((r) => r.trim()).filter(Boolean) });
    const account = { userName: input.user_name, name: input.name, firstName: input.first_name, lastName: input.last_name, email: input.email, roles: input.roles };
    const user = await createUserAccount(instance.store.db, { ...account, passwordHash: await hashPassword(input.password) }, admin.actor);
    setFlash(instance, reply, admin.session, { message: admin.viewer.i18n.t("users.flash.created", { name: user.userName }) });
    seeOther(reply, adminPaths.user(user.sysId));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    await renderUsers(instance, request, reply, admin, 400, { form: typed, errors: fieldErrors(error.issues, admin.viewer.i18n) });
  }
};

async function userFromPath(instance: Instance, request: FastifyRequest, reply: FastifyReply, admin: AdminContext): Promise<UserListing | undefined> {
  const { sysId } = request.params as { sysId: string };
  const user = sysIdPattern.test(sysId) ? await findUserListing(instance.store.db, sysId) : undefined;
  if (!user) sendAdminHTML(reply, 404, adminErrorPage({ viewer: admin.viewer, title: admin.viewer.i18n.t("users.notFoundTitle"), message: admin.viewer.i18n.t("users.notFound") }));
  return user;
}

async function renderUser(instance: Instance, reply: FastifyReply, admin: AdminContext, user: UserListing, status: number, extra: { errors?: FieldErrors; flash?: string | undefined; typedRole?: string }) {
  const [roles, history] = await Promise.all([listRoles(instance.store.db), listAudit(instance.store.db, { tablename: "sys_user", documentkey: user.sysId, limit: 50 })]);
  // Also the answer to a POST (a refused grant): the page's forms and language switch name the page, not the action.
  sendAdminHTML(reply, status, userPage({ viewer: { ...admin.viewer, path: adminPaths.user(user.sysId) }, user, roleNames: roles.map((r) => r.name), errors: extra.errors ?? {}, flash: extra.flash, history, typedRole: extra.typedRole ?? "" }));
}

export const userShow: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const user = await userFromPath(instance, request, reply, admin);
  if (user) await renderUser(instance, reply, admin, user, 200, { flash: takeFlash(instance, request, reply, admin.session).message });
};

/** GET /admin/users/{sys_id}/deactivate — the confirmation step; nothing changes until it is submitted. */
export const userDeactivateConfirm: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const user = await userFromPath(instance, request, reply, admin);
  if (user) sendAdminHTML(reply, 200, deactivateUserPage({ viewer: admin.viewer, user }));
};

/**
 * What a form of the user page that was typed into (grant a role, set the password) does when it
 * arrives after its session ended: it keeps what was typed through signing in again (sign-in.ts),
 * never the password. The page's buttons carry nothing typed, so they just lead to the sign-in.
 */
type SignedOut = "keep typed input" | "sign in";

/** Runs one change to a user; a ValidationError shows the user page again with the error at its field. */
function userChange(signedOut: SignedOut, change: (instance: Instance, user: UserListing, form: URLSearchParams, admin: AdminContext) => Promise<string>): Handler {
  return async (instance, request, reply) => {
    const posted = await requireAdminForm(instance, request, reply, signedOut === "keep typed input" ? { whenSignedOut: keepTypedUserInput } : {});
    if (!posted) return;
    const user = await userFromPath(instance, request, reply, posted.admin);
    if (!user) return;
    // Back from signing in again: the page with what was typed, and nothing changed until it is sent again.
    if (posted.form.get("_action") === "restore") return renderUser(instance, reply, posted.admin, user, 200, { flash: posted.admin.viewer.i18n.t("resume.restored"), typedRole: posted.form.get("role") ?? "" });
    try {
      const message = await change(instance, user, posted.form, posted.admin);
      setFlash(instance, reply, posted.admin.session, { message });
      seeOther(reply, adminPaths.user(user.sysId));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const errors = fieldErrors(error.issues, posted.admin.viewer.i18n);
      // A refused removal (the last admin) was a Remove button in the role list: its error goes there, not to Grant's field.
      if (posted.form.get("_action") === "remove" && errors.role) {
        errors.roles = errors.role;
        delete errors.role;
      }
      // A refused grant keeps the role typed; a removal's role is not put into Grant.
      const typedRole = posted.form.get("_action") === "grant" ? (posted.form.get("role") ?? "") : "";
      await renderUser(instance, reply, posted.admin, user, 400, { errors, typedRole });
    }
  };
}

/** Removing a role is a button whose form carries the role it removes: kept, it would come back typed into Grant. */
function keepTypedUserInput(instance: Instance, request: FastifyRequest, reply: FastifyReply): void {
  const form = request.body instanceof URLSearchParams ? request.body : undefined;
  if (form?.get("_action") === "remove") return redirectToSignIn(instance, request, reply);
  signInKeepingForm(instance, request, reply);
}

/** A new password ends the user's sessions and tokens; an admin setting their own keeps the session they set it in. */
export const userSetPassword = userChange("keep typed input", async (instance, user, form, admin) => {
  const password = parseNewPassword(form.get("password") ?? "");
  const keepSession = user.sysId === admin.userSysId ? admin.session.sysId : undefined;
  await setUserPassword(instance.store.db, user.sysId, await hashPassword(password), { actor: admin.actor, keepSession });
  return admin.viewer.i18n.t("users.flash.passwordChanged", { name: user.userName });
});

export const userRoles = userChange("keep typed input", async (instance, user, form, { actor, viewer: { i18n } }) => {
  const role = parseRoleName(form.get("role") ?? "");
  if (form.get("_action") === "remove") {
    await removeUserRole(instance.store.db, user.sysId, role, actor);
    return i18n.t("users.flash.roleRemoved", { role, name: user.userName });
  }
  await grantUserRole(instance.store.db, user.sysId, role, actor);
  return i18n.t("users.flash.roleGranted", { role, name: user.userName });
});

export const userActive = userChange("sign in", async (instance, user, form, { actor, viewer: { i18n } }) => {
  const value = form.get("active");
  // Only the form's two buttons' values: anything else would quietly deactivate the user.
  if (value !== "true" && value !== "false") throw new ValidationError([issue("active", "validation.trueOrFalse")]);
  const active = value === "true";
  await setUserActive(instance.store.db, user.sysId, active, actor);
  return i18n.t(active ? "users.flash.activated" : "users.flash.deactivated", { name: user.userName });
});
