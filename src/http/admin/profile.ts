import type { FastifyReply, FastifyRequest } from "fastify";
import { toLocale } from "../../i18n/locale.ts";
import { translator } from "../../i18n/translator.ts";
import type { Instance } from "../../instance.ts";
import { findUserById, setPreferredLanguage } from "../../store/user-store.ts";
import { profilePage } from "../ui/admin/profile-page.tsx";
import { adminPaths } from "./admin-paths.ts";
import { requireAdmin, requireAdminForm, seeOther, sendAdminHTML } from "./admin-session.ts";
import { setFlash, takeFlash } from "./flash.ts";

/** "" clears the preference; anything we do not speak is ignored rather than stored. */
function chosenLanguage(form: URLSearchParams): string | null | undefined {
  const value = form.get("preferred_language") ?? "";
  return value === "" ? null : toLocale(value);
}

/** GET /admin/profile — the signed-in user's preferred language. */
export async function profileGet(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const user = await findUserById(instance.store.db, admin.userSysId);
  sendAdminHTML(reply, 200, profilePage({ viewer: admin.viewer, preferredLanguage: user?.preferredLanguage ?? null, flash: takeFlash(instance, request, reply, admin.session).message }));
}

/** Saves a language for a user (oneself on the profile, anyone from the user page) and confirms in the language now in force. */
async function saveLanguage(instance: Instance, request: FastifyRequest, reply: FastifyReply, target: (adminSysId: string) => string, back: (sysId: string) => string): Promise<void> {
  const posted = await requireAdminForm(instance, request, reply);
  if (!posted) return;
  const sysId = target(posted.admin.userSysId);
  const language = chosenLanguage(posted.form);
  const user = await findUserById(instance.store.db, sysId);
  if (!user) return void seeOther(reply, adminPaths.users);
  if (language !== undefined) await setPreferredLanguage(instance.store.db, sysId, language);
  const shown = sysId === posted.admin.userSysId && language ? translator(language as "en" | "ko") : posted.admin.viewer.i18n;
  setFlash(instance, reply, posted.admin.session, { message: shown.t("profile.saved") });
  seeOther(reply, back(sysId));
}

/** POST /admin/profile */
export const profilePost = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => saveLanguage(instance, request, reply, (own) => own, () => adminPaths.profile);

/** POST /admin/users/:sysId/language — an admin sets another user's language. */
export const userLanguagePost = (instance: Instance, request: FastifyRequest, reply: FastifyReply) =>
  saveLanguage(instance, request, reply, () => (request.params as { sysId: string }).sysId, (sysId) => adminPaths.user(sysId));
