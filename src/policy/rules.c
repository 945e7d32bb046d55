/* Every rule family this build knows, in evaluation order.
 *
 * The order matters: rules that change the process (user, capabilities)
 * run before rules that depend on the result (seccomp resolves its
 * capability-gated syscalls against the *final* capability set; privileged
 * summarises what the earlier rules saw).  Each rule lives in
 * src/rules/<name>.c; to find why a container was refused, open the file
 * named by the "rule" of the finding. */
#include "secshim/policy.h"

extern const struct rule_ops rule_resources;
extern const struct rule_ops rule_process;
extern const struct rule_ops rule_privileged;
extern const struct rule_ops rule_user;
extern const struct rule_ops rule_capabilities;
extern const struct rule_ops rule_no_new_privileges;
extern const struct rule_ops rule_mounts;
extern const struct rule_ops rule_selinux;
extern const struct rule_ops rule_namespaces;
extern const struct rule_ops rule_cgroups;
extern const struct rule_ops rule_devices;
extern const struct rule_ops rule_masked_paths;
extern const struct rule_ops rule_hooks;
extern const struct rule_ops rule_sysctls;
extern const struct rule_ops rule_annotations;
extern const struct rule_ops rule_apparmor;
extern const struct rule_ops rule_seccomp;

const struct rule_ops *const secshim_rules[] = {
  &rule_privileged, &rule_user,    &rule_capabilities, &rule_process,  &rule_resources, &rule_no_new_privileges,
  &rule_mounts,     &rule_selinux, &rule_namespaces,   &rule_cgroups,  &rule_devices,   &rule_masked_paths,
  &rule_hooks,      &rule_sysctls, &rule_annotations,  &rule_apparmor, &rule_seccomp, /* last: resolves against the
                                                                                         final capability set */
};

const size_t secshim_n_rules = sizeof secshim_rules / sizeof secshim_rules[0];
