/* Rule "user": the process never runs as root on the host.
 *
 * uid 0 -- and an absent process.user or user.uid, which runc's Go decoder
 * leaves at 0 (spec_normalize has already turned null into absent) -- is
 * rewritten to the policy's uid (default 65534) or refused; gid 0 and a 0
 * in additionalGids likewise (rewrite removes the 0).  CVE-2019-5736 and
 * its Dirty Pipe variant need host uid 0; CVE-2023-25173 is about groups.
 *
 * With a user namespace (linux.namespaces holds type "user") the ids are
 * judged in host terms, through linux.uidMappings/gidMappings: container
 * root is then fine, but a mapping whose host range contains 0 gives the
 * container the host's root, and no rewrite of the process can undo that,
 * so it is refused under every enforcing action.  A user namespace joined
 * by path takes no mappings from the document (runc ignores them): its ids
 * are judged as host ids (the conservative reading).  exec's process.json has no linux
 * section, so its ids are judged as host ids too: `docker exec -u 0` is
 * rewritten or refused even in a user-namespaced container.
 *
 * Inline `runc exec --user uid[:gid]` and `--additional-gids` (runc builds
 * the process from config.json and these flags) are judged by the ids runc
 * will use: root is refused under reject and rewrite (a typed flag cannot
 * be rewritten), recorded under audit.
 * CIS Docker Benchmark 5.24 (exec as root), 5.31 (user namespaces);
 * PSS restricted "Running as Non-root" / "Running as Non-root user". */
#include <string.h>

#include "common.h"
#include "secshim/cleanup.h"
#include "secshim/cli.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

struct user_state
{
  uint32_t uid;
  uint32_t gid;
};

static int
load_user (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct user_state *s = xzalloc (sizeof *s);
  (void) policy_dir;
  s->uid = 65534;
  s->gid = 65534;
  if (take_u32 (settings, "rules.user", "uid", &s->uid, err) < 0
      || take_u32 (settings, "rules.user", "gid", &s->gid, err) < 0)
    goto fail;
  if (s->uid == 0 || s->gid == 0)
    {
      secshim_make_error (err, SECSHIM_ECONFIG, "rules.user.%s: must not be 0 (root)", s->uid == 0 ? "uid" : "gid");
      goto fail;
    }
  *state = s;
  return 0;
fail:
  free (s);
  return -1;
}

/* The document's linux.namespaces creates a user namespace of its own.
 * One joined by path does not count: runc writes uidMappings/gidMappings
 * only for a new one (container_linux.go bootstrapData, joinExistingUser),
 * so mappings next to a path are ignored, and the ids are judged as host
 * ids even when the mappings would map 0 away. */
static bool
has_user_namespace (const struct eval_ctx *ctx)
{
  const struct json_value *ns = json_get_path (ctx->doc, "linux.namespaces");
  size_t i;
  if (ctx->kind != DOC_CONFIG || !json_is (ns, JSON_ARRAY))
    return false;
  for (i = 0; i < ns->count; i++)
    if (str_equal (json_string (json_get (ns->items[i], "type")), "user"))
      {
        const char *path = json_string (json_get (ns->items[i], "path"));
        return path == NULL || path[0] == '\0';
      }
  return false;
}

/* Refuse every mapping whose host range contains 0.  Returns true when the
 * document has mappings of this kind at all. */
static bool
check_mappings (struct eval_ctx *ctx, const char *key, const char *what)
{
  const struct json_value *maps = json_get_path (ctx->doc, key);
  size_t i;
  if (!json_is (maps, JSON_ARRAY) || maps->count == 0)
    return false;
  for (i = 0; i < maps->count; i++)
    {
      cleanup_free char *path = NULL;
      uint32_t host = 1, size = 0;
      json_get_u32 (json_get (maps->items[i], "hostID"), &host);
      json_get_u32 (json_get (maps->items[i], "size"), &size);
      if (host != 0 || size == 0)
        continue;
      xasprintf (&path, "%s[%zu]", key, i);
      eval_report_unfixable (ctx, path, maps->items[i], "maps host %s 0 (root) into the container's user namespace",
                             what);
    }
  return true;
}

/* Set user.<key> to value, reporting before/after.  user may be created. */
static void
rewrite_id (struct eval_ctx *ctx, const char *key, uint32_t value, const char *what)
{
  cleanup_free char *sub = NULL;
  cleanup_free char *path = NULL;
  struct json_value *process = ctx->process;
  struct json_value *user = json_get_or_add_object (process, "user");
  const struct json_value *before = json_get (user, key);
  cleanup_free char *before_text = NULL;
  cleanup_free char *after_text = NULL;

  xasprintf (&sub, "user.%s", key);
  path = process_field_path (ctx, sub);
  if (eval_action (ctx) != ACTION_REWRITE)
    {
      eval_report (ctx, path, before, NULL, "%s 0 (root)%s: the process would run as host root", what,
                   before ? "" : " by default (absent)");
      return;
    }
  /* Rendered now: json_set frees the value it replaces. */
  before_text = eval_render (ctx, before);
  json_set (user, key, json_new_u64 (value));
  after_text = eval_render (ctx, json_get (user, key));
  eval_report_rendered (ctx, path, before_text, after_text, "%s 0 (root)%s rewritten to %u", what,
                        before_text ? "" : " by default (absent)", value);
}

static void
check_additional_gids (struct eval_ctx *ctx)
{
  cleanup_free char *path = process_field_path (ctx, "user.additionalGids");
  struct json_value *gids = json_get_path (ctx->process, "user.additionalGids");
  struct json_value *kept = NULL;
  cleanup_free char *before = NULL;
  cleanup_free char *after = NULL;
  size_t i;
  bool has_root = false;

  if (!json_is (gids, JSON_ARRAY))
    return;
  kept = json_new_array ();
  for (i = 0; i < gids->count; i++)
    {
      uint32_t g = 1;
      if (json_get_u32 (gids->items[i], &g) == 0 && g == 0)
        has_root = true;
      else
        json_array_append (kept, json_clone (gids->items[i]));
    }
  if (!has_root || eval_action (ctx) != ACTION_REWRITE)
    {
      json_free (kept);
      if (has_root)
        eval_report (ctx, path, gids, NULL, "supplementary group 0 (root)");
      return;
    }
  /* Rendered now: json_set frees the list it replaces. */
  before = eval_render (ctx, gids);
  json_set (json_get (ctx->process, "user"), "additionalGids", kept);
  after = eval_render (ctx, json_get_path (ctx->process, "user.additionalGids"));
  eval_report_rendered (ctx, path, before, after, "supplementary group 0 (root) removed");
}

/* exec --user uid[:gid] as runc 1.1.5's exec.go getProcess reads it:
 *   u := strings.SplitN (user, ":", 2)
 *   gid, err := strconv.Atoi (u[1]); p.User.GID = uint32 (gid)
 *   uid, err := strconv.Atoi (u[0]); p.User.UID = uint32 (uid)
 * so "-0", "+0", "00", "4294967296" and "-4294967296" are all 0 to runc,
 * whatever the text says.  Text runc cannot parse is a finding too: runc
 * fails on it, and what secshim cannot read it does not approve. */
static void
check_user_flag (struct eval_ctx *ctx, const char *spec)
{
  const char *colon = strchr (spec, ':');
  cleanup_free char *uid_text = colon ? xstrndup (spec, (size_t) (colon - spec)) : xstrdup (spec);
  int64_t uid, gid;

  if (go_atoi (uid_text, &uid) < 0 || (colon && go_atoi (colon + 1, &gid) < 0))
    eval_report_flag (ctx, "user", spec, "exec: --user %.64s is refused: runc cannot read it as uid[:gid]", spec);
  else if ((uint32_t) uid == 0)
    eval_report_flag (
        ctx, "user", spec,
        "exec: --user %.64s is refused: runc reads uid %.64s as 0 (root); pass -u UID:GID with non-zero ids", spec,
        uid_text);
  else if (colon && (uint32_t) gid == 0)
    eval_report_flag (ctx, "user", spec,
                      "exec: --user %.64s is refused: runc reads gid %.64s as 0 (group root); pass a non-zero gid",
                      spec, colon + 1);
}

/* --additional-gids: urfave/cli's Int64Slice.Set is strconv.ParseInt (v,
 * 10, 64); runc refuses a negative one and keeps uint32 (gid), so
 * 4294967296 and "-0" are group 0. */
static void
check_gid_flag (struct eval_ctx *ctx, const char *v)
{
  int64_t gid;
  if (go_parse_int (v, 64, &gid) < 0 || gid < 0)
    eval_report_flag (ctx, "additional-gids", v,
                      "exec: --additional-gids %.64s is refused: runc cannot use it as a group id", v);
  else if ((uint32_t) gid == 0)
    eval_report_flag (ctx, "additional-gids", v,
                      "exec: --additional-gids %.64s is refused: runc reads it as group 0 (root)", v);
}

static void
check_user_argv (struct eval_ctx *ctx, const struct cli_model *m)
{
  const char *user = cli_flag_value (m, "user");
  size_t i;

  /* runc applies --user only when it is not empty; then the config's
   * user, judged at create, stays. */
  if (user && user[0] != '\0')
    check_user_flag (ctx, user);
  for (i = 0; i < m->n_flags; i++)
    if (strcmp (m->flags[i].name, "additional-gids") == 0)
      check_gid_flag (ctx, m->flags[i].value);
}

static int
check_user (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct user_state *s = state;
  const struct json_value *user;
  uint32_t uid = 0, gid = 0;
  bool uid_mapped = false, gid_mapped = false;
  (void) err;

  if (ctx->kind == DOC_ARGV)
    {
      if (eval_cli (ctx, VERB_EXEC))
        check_user_argv (ctx, eval_cli (ctx, VERB_EXEC));
      return 0;
    }
  /* A config without a process runs nothing (runc refuses it). */
  if (ctx->process == NULL)
    return 0;
  if (has_user_namespace (ctx))
    {
      uid_mapped = check_mappings (ctx, "linux.uidMappings", "uid");
      gid_mapped = check_mappings (ctx, "linux.gidMappings", "gid");
    }
  user = json_get (ctx->process, "user");
  /* The schema has checked the types: a present uid is a uint32. */
  json_get_u32 (json_get (user, "uid"), &uid);
  json_get_u32 (json_get (user, "gid"), &gid);
  if (uid == 0 && !uid_mapped)
    rewrite_id (ctx, "uid", s->uid, "uid");
  if (gid == 0 && !gid_mapped)
    rewrite_id (ctx, "gid", s->gid, "gid");
  if (!gid_mapped)
    check_additional_gids (ctx);
  return 0;
}

static void
pack_user (struct pack *k, void **state)
{
  struct user_state *s = pack_state (k, state, sizeof *s);
  pack_u32 (k, &s->uid);
  pack_u32 (k, &s->gid);
}

const struct rule_ops rule_user = {
  .name = "user",
  .actions = ACTION_REJECT | ACTION_REWRITE | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG | DOC_PROCESS | DOC_ARGV,
  .load = load_user,
  .free_state = free,
  .pack = pack_user,
  .check = check_user,
};
