/* Inline `runc exec` (no --process): the flags that widen privilege.
 *
 * In inline mode runc builds the exec'd process from the bundle's
 * config.json (already checked at create) and then applies these flags on
 * top (runtime-interface.md 1.3).  Capabilities of an exec'd process are not
 * bounded by the container's init, so --cap alone is an escalation; --cwd is
 * the CVE-2024-21626 vector; --apparmor and --process-label replace the
 * confinement.  These are refused whatever the policy says: they are argv
 * hardening, not a policy choice (containerd, CRI-O and podman always use
 * --process, so only a person typing `runc exec` meets them). */
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/runtime.h"
#include "secshim/util.h"

static const char *const widening_flags[] = { "cap", "apparmor", "process-label", "cwd" };

/* --user uid[:gid] as runc 1.1.5's exec.go getProcess reads it:
 *   u := strings.SplitN (user, ":", 2)
 *   gid, err := strconv.Atoi (u[1]); p.User.GID = uint32 (gid)
 *   uid, err := strconv.Atoi (u[0]); p.User.UID = uint32 (uid)
 * so "-0", "+0", "00", "4294967296" and "-4294967296" are all 0 to runc,
 * whatever the text says.  Returns NULL when runc would end up with a
 * non-root uid and gid, else why not (malloc'd).  Text runc cannot parse
 * is refused too (runc would fail). */
static char *
user_refusal (const char *spec)
{
  const char *colon = strchr (spec, ':');
  cleanup_free char *uid_text = colon ? xstrndup (spec, (size_t) (colon - spec)) : xstrdup (spec);
  int64_t uid, gid;
  char *msg = NULL;

  if (go_atoi (uid_text, &uid) < 0 || (colon && go_atoi (colon + 1, &gid) < 0))
    xasprintf (&msg, "exec: --user %.64s is refused: runc cannot read it as uid[:gid]", spec);
  else if ((uint32_t) uid == 0)
    xasprintf (&msg, "exec: --user %.64s is refused: runc reads uid %.64s as 0 (root)", spec, uid_text);
  else if (colon && (uint32_t) gid == 0)
    xasprintf (&msg, "exec: --user %.64s is refused: runc reads gid %.64s as 0 (group root)", spec, colon + 1);
  return msg;
}

/* --additional-gids: urfave/cli's Int64Slice.Set is strconv.ParseInt (v,
 * 10, 64); runc refuses a negative one and keeps uint32 (gid), so
 * 4294967296 and "-0" are group 0. */
static char *
gid_refusal (const char *v)
{
  int64_t gid;
  char *msg = NULL;
  if (go_parse_int (v, 64, &gid) < 0 || gid < 0)
    xasprintf (&msg, "exec: --additional-gids %.64s is refused: runc cannot use it as a group id", v);
  else if ((uint32_t) gid == 0)
    xasprintf (&msg, "exec: --additional-gids %.64s is refused: runc reads it as group 0 (root)", v);
  return msg;
}

char *
exec_inline_refusal (const struct cli_model *m)
{
  const char *values[256];
  char *msg = NULL;
  size_t i, n;

  for (i = 0; i < sizeof widening_flags / sizeof widening_flags[0]; i++)
    if (cli_flag_value (m, widening_flags[i]))
      {
        xasprintf (&msg, "exec: --%s is refused: it gives the exec'd process more than the container's init has",
                   widening_flags[i]);
        return msg;
      }
  if (str_equal (cli_flag_value (m, "no-new-privs"), "false"))
    return xstrdup ("exec: --no-new-privs=false is refused: noNewPrivileges must stay on");
  /* runc applies --user only when it is not empty (context.String ("user")
   * != ""); then the config's user, judged at create, stays. */
  if (cli_flag_value (m, "user") && cli_flag_value (m, "user")[0] != '\0'
      && (msg = user_refusal (cli_flag_value (m, "user"))) != NULL)
    return msg;
  n = cli_flag_values (m, "additional-gids", values, 256);
  if (n > 256)
    return xstrdup ("exec: too many --additional-gids");
  for (i = 0; i < n; i++)
    if ((msg = gid_refusal (values[i])) != NULL)
      return msg;
  n = cli_flag_values (m, "env", values, 256);
  if (n > 256)
    return xstrdup ("exec: too many --env flags");
  for (i = 0; i < n; i++)
    if (strpbrk (values[i], "\n\r"))
      return xstrdup ("exec: --env values may not contain a newline");
  return NULL;
}
