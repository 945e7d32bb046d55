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
 * The default policy audits (a plain `docker run` sets none of them); the
 * restricted policy rejects.  No rewrite: secshim cannot pick a workload's
 * memory size, and a read-only root breaks images that write to it.
 *
 * With action reject the rule also polices `runc update` (src/runtime/
 * update.c through resources_update_refusal()): an update may not lift a
 * limit the rule requires. */
#include "resources.h"
#include "common.h"
#include "secshim/host.h"
#include "secshim/cleanup.h"
#include "secshim/policy.h"
#include "secshim/settings.h"
#include "secshim/util.h"

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

static int
check_resources (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct resources_requirements *r = state;
  const struct json_value *res = json_get_path (ctx->doc, "linux.resources");
  const struct json_value *mem = json_get_path (res, "memory.limit");
  const struct json_value *pids = json_get_path (res, "pids.limit");
  const struct json_value *ro = json_get_path (ctx->doc, "root.readonly");
  (void) err;

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

char *
resources_update_refusal (const struct resources_requirements *req, const struct json_value *resources)
{
  const struct json_value *mem = json_get_path (resources, "memory.limit");
  const struct json_value *pids = json_get_path (resources, "pids.limit");
  const struct json_value *quota = json_get_path (resources, "cpu.quota");
  const struct json_value *period = json_get_path (resources, "cpu.period");
  char *msg = NULL;

  if (req->memory && negative (mem))
    xasprintf (&msg, "update: memory.limit %s would remove the memory limit", mem->str);
  else if (req->pids && pids && !positive (pids))
    xasprintf (&msg, "update: pids.limit %s would remove the pids limit", pids->str);
  else if (req->cpu && negative (quota))
    xasprintf (&msg, "update: cpu.quota %s would remove the CPU quota", quota->str);
  /* runc writes cpu.max "max <period>" when a period comes without a
   * positive quota: that lifts the quota too. */
  else if (req->cpu && period && positive (period) && !positive (quota))
    xasprintf (&msg, "update: cpu.period without a positive cpu.quota would remove the CPU quota");
  return msg;
}

const struct rule_ops rule_resources = {
  .name = "resources",
  .actions = ACTION_REJECT | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .load = load_resources,
  .free_state = free,
  .check = check_resources,
};
