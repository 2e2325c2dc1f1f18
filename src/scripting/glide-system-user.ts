/**
 * The caller as GlideSystem tells a script (gs.getUserID(), gs.getUserName(),
 * gs.getUserDisplayName(), gs.hasRole(), gs.isLoggedIn(), and gs.getUser()'s GlideUser with
 * getID, getName, getDisplayName, hasRole, getRoles), built inside the sandbox from the plain
 * data the dispatcher sends (src/http/scripted-rest/script-request.ts). The same user the
 * script's data calls act as, so `gr.addQuery('assigned_to', gs.getUserID())` is "my records".
 */
export const glideSystemUser = String.raw`(function glideSystemUser(sent) {
  "use strict";
  const freeze = Object.freeze, isArray = Array.isArray;
  const id = typeof sent.userId === "string" ? sent.userId : "";
  const name = typeof sent.userName === "string" ? sent.userName : "guest";
  const displayName = typeof sent.userDisplayName === "string" ? sent.userDisplayName : "";
  const roles = freeze(isArray(sent.roles) ? sent.roles.filter(function (r) { return typeof r === "string"; }) : []);
  // As on the platform, admin passes every role check, and a comma list asks for any of its roles.
  const hasRole = function (wanted) {
    if (roles.indexOf("admin") >= 0) return true;
    return String(wanted).split(",").some(function (role) { return roles.indexOf(role.trim()) >= 0; });
  };
  return freeze({
    getID: function () { return id; },
    getName: function () { return name; },
    getDisplayName: function () { return displayName; },
    hasRole: hasRole,
    getRoles: function () { return roles.slice(); },
    isLoggedIn: function () { return id !== ""; },
  });
})`;
