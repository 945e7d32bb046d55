/* Rule "resources": limits and a read-only root filesystem.
 *
 *   memory    linux.resources.memory.limit > 0         CIS 5.11
 *   cpu       linux.resources.cpu.shares > 0 or
 *             linux.resources.cpu.quota > 0             CIS 5.12
 *   pids      linux.resources.pids.limit > 0           CIS 5.29
 *   readonly  root.readonly == true                    CIS 5.13
 * Each requirement can be turned off ("requireMemoryLimit": false, ...).
 *
 * A memory or pids limit is also met by the cgroup runc places the
 * container's own cgroup in (cgroups_parent_dir), when that has a finite
 * limit: the kernel holds every cgroup below it to it.  That is how kubelet
 * bounds a pod: it limits the pod's cgroup and leaves the pause container
 * (and each container's own cgroup, where the container sets none) without
 * one.  Only the direct parent counts: the engine-wide cgroups above it
 * (kubepods, the node's allocatable) bound every container on the node
 * together, which is no limit of this workload.
 *
 * The default policy audits (a plain `docker run` sets none of them); the
 * restricted policy rejects.  No rewrite: secshim cannot pick a workload's
 * memory size, and a read-only root breaks images that write to it.
 *
 * The rule also judges `runc update`: the LinuxResources document of
 * --resources (DOC_RESOURCES) and the inline flags (--memory, --pids-limit,
 * --cpu-quota, --cpu-period): an update may not lift a limit the rule
 * requires.  Absent fields are left unchanged by runc. */
#include <string.h>

#include "common.h"
#include "secshim/cleanup.h"
#include "secshim/cli.h"
#include "secshim/host.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

/* What the rule requires (its state, from the policy). */
struct resources_requirements
{
  bool memory;   /* linux.resources.memory.limit > 0 */
  bool cpu;      /* cpu.shares > 0 or cpu.quota > 0 */
  bool pids;     /* linux.resources.pids.limit > 0 */
  bool readonly; /* root.readonly true */
};

static int
load_resources (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct resources_requirements *r = xzalloc (sizeof *r);
  (void) policy_dir;
  r->memory = r->cpu = r->pids = r->readonly = true;
  if (take_bool (settings, "rules.resources", "requireMemoryLimit", &r->memory, err) < 0
      || take_bool (settings, "rules.resources", "requireCpu", &r->cpu, err) < 0
      || take_bool (settings, "rules.resources", "requirePidsLimit", &r->pids, err) < 0
      || take_bool (settings, "rules.resources", "requireReadonlyRootfs", &r->readonly, err) < 0)
    {
      free (r);
      return -1;
    }
  *state = r;
  return 0;
}

/* A positive integer (the schema has checked the type's range). */
static bool
positive (const struct json_value *v)
{
  int64_t n = 0;
  uint64_t u = 0;
  if (json_get_i64 (v, &n) == 0)
    return n > 0;
  return json_get_u64 (v, &u) == 0 && u > 0;
}

static bool
negative (const struct json_value *v)
{
  int64_t n = 0;
  return v && json_get_i64 (v, &n) == 0 && n < 0;
}

/* The container's parent cgroup on this host has a finite `controller`
 * limit.  Anything that cannot be read counts as no limit (fail closed). */
static bool
parent_bounded (struct eval_ctx *ctx, const char *controller)
{
  cleanup_free char *dir = NULL;
  bool bounded = false;
  if (ctx->host == NULL || ctx->host->cgroup_bounded == NULL || (dir = cgroups_parent_dir (ctx)) == NULL)
    return false;
  return ctx->host->cgroup_bounded (ctx->host, controller, dir, &bounded) == 0 && bounded;
}

static void check_update_doc (struct eval_ctx *ctx, const struct resources_requirements *req);
static void check_update_flags (struct eval_ctx *ctx, const struct resources_requirements *req,
                                const struct cli_model *m);

static int
check_resources (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct resources_requirements *r = state;
  const struct json_value *res = json_get_path (ctx->doc, "linux.resources");
  const struct json_value *mem = json_get_path (res, "memory.limit");
  const struct json_value *pids = json_get_path (res, "pids.limit");
  const struct json_value *ro = json_get_path (ctx->doc, "root.readonly");
  (void) err;

  if (ctx->kind == DOC_RESOURCES)
    {
      check_update_doc (ctx, r);
      return 0;
    }
  if (ctx->kind == DOC_ARGV)
    {
      if (eval_cli (ctx, VERB_UPDATE))
        check_update_flags (ctx, r, eval_cli (ctx, VERB_UPDATE));
      return 0;
    }

  if (r->memory && !positive (mem) && !parent_bounded (ctx, "memory"))
    eval_report (ctx, "linux.resources.memory.limit", mem, NULL, "no memory limit (CIS 5.11)");
  if (r->cpu && !positive (json_get_path (res, "cpu.shares")) && !positive (json_get_path (res, "cpu.quota")))
    eval_report (ctx, "linux.resources.cpu", json_get (res, "cpu"), NULL, "no CPU shares or quota set (CIS 5.12)");
  if (r->pids && !positive (pids) && !parent_bounded (ctx, "pids"))
    eval_report (ctx, "linux.resources.pids.limit", pids, NULL, "no pids limit (CIS 5.29)");
  if (r->readonly && !json_is_true (ro))
    eval_report (ctx, "root.readonly", ro, NULL, "root filesystem is writable (CIS 5.13)");
  return 0;
}

/* runc update --resources: would applying the document lift a limit? */
static void
check_update_doc (struct eval_ctx *ctx, const struct resources_requirements *req)
{
  const struct json_value *mem = json_get_path (ctx->doc, "memory.limit");
  const struct json_value *pids = json_get_path (ctx->doc, "pids.limit");
  const struct json_value *quota = json_get_path (ctx->doc, "cpu.quota");
  const struct json_value *period = json_get_path (ctx->doc, "cpu.period");

  if (req->memory && negative (mem))
    eval_report (ctx, "memory.limit", mem, NULL, "update: memory.limit %s would remove the memory limit", mem->str);
  if (req->pids && pids && !positive (pids))
    eval_report (ctx, "pids.limit", pids, NULL, "update: pids.limit %s would remove the pids limit", pids->str);
  if (req->cpu && negative (quota))
    eval_report (ctx, "cpu.quota", quota, NULL, "update: cpu.quota %s would remove the CPU quota", quota->str);
  /* runc writes cpu.max "max <period>" when a period comes without a
   * positive quota: that lifts the quota too. */
  else if (req->cpu && period && positive (period) && !positive (quota))
    eval_report (ctx, "cpu.period", period, NULL,
                 "update: cpu.period without a positive cpu.quota would remove the CPU quota");
}

/* runc update's inline flags, as runc reads them; a value secshim does not
 * read the way runc does (--pids-limit 0x10) is a finding too. */
static void
check_update_flags (struct eval_ctx *ctx, const struct resources_requirements *req, const struct cli_model *m)
{
  const char *memory = cli_flag_value (m, "memory");
  const char *pids = cli_flag_value (m, "pids-limit");
  const char *quota = cli_flag_value (m, "cpu-quota");
  const char *period = cli_flag_value (m, "cpu-period");
  int64_t n = 0;

  if (req->memory && memory && memory[0] == '-')
    eval_report_flag (ctx, "memory", memory, "update: --memory %s would remove the memory limit", memory);
  if (req->pids && pids && (parse_i64 (pids, &n) < 0 || n <= 0))
    eval_report_flag (ctx, "pids-limit", pids,
                      "update: --pids-limit %s would remove the pids limit (a positive decimal is required)", pids);
  if (req->cpu && quota && quota[0] == '-')
    eval_report_flag (ctx, "cpu-quota", quota, "update: --cpu-quota %s would remove the CPU quota", quota);
  else if (req->cpu && period && !(quota && parse_i64 (quota, &n) == 0 && n > 0))
    eval_report_flag (ctx, "cpu-period", period,
                      "update: --cpu-period without a positive --cpu-quota would remove the CPU quota");
}

static void
pack_resources (struct pack *k, void **state)
{
  struct resources_requirements *s = pack_state (k, state, sizeof *s);
  pack_bool (k, &s->memory);
  pack_bool (k, &s->cpu);
  pack_bool (k, &s->pids);
  pack_bool (k, &s->readonly);
}

const struct rule_ops rule_resources = {
  .name = "resources",
  .actions = ACTION_REJECT | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG | DOC_ARGV | DOC_RESOURCES,
  .load = load_resources,
  .free_state = free,
  .pack = pack_resources,
  .check = check_resources,
};
