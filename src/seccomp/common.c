/* Tables shared by the seccomp modules: actions, operators, architectures,
 * and name resolution through libseccomp. */
#include <string.h>

#include <cap-ng.h>
#include <seccomp.h>

#include "internal.h"
#include "secshim/seccomp.h"
#include "secshim/util.h"

static const char *const known_actions[] = {
  "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",   "SCMP_ACT_ERRNO",
  "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY", NULL,
};

static const char *const known_ops[] = {
  "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

static bool
in_list (const char *const *list, const char *s)
{
  size_t i;
  if (s == NULL)
    return false;
  for (i = 0; list[i]; i++)
    if (strcmp (list[i], s) == 0)
      return true;
  return false;
}

bool
sc_action_known (const char *action)
{
  return in_list (known_actions, action);
}

bool
sc_action_permits (const char *action)
{
  static const char *const denying[] = {
    "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", NULL,
  };
  return !in_list (denying, action);
}

bool
sc_op_known (const char *op)
{
  return in_list (known_ops, op);
}

static const struct
{
  const char *name;
  uint32_t token;
} arches[] = {
  { "SCMP_ARCH_X86", SCMP_ARCH_X86 },
  { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
  { "SCMP_ARCH_X32", SCMP_ARCH_X32 },
  { "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
  { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
  { "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
  { "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
  { "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
  { "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
  { "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
  { "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
  { "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
  { "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
  { "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
  { "SCMP_ARCH_S390", SCMP_ARCH_S390 },
  { "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
  { "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
  { "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
  { "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
};

uint32_t
sc_arch_token (const char *name)
{
  size_t i;
  if (name == NULL)
    return 0;
  for (i = 0; i < sizeof arches / sizeof arches[0]; i++)
    if (strcmp (arches[i].name, name) == 0)
      return arches[i].token;
  return 0;
}

const char *
sc_arch_name (uint32_t token)
{
  size_t i;
  for (i = 0; i < sizeof arches / sizeof arches[0]; i++)
    if (arches[i].token == token)
      return arches[i].name;
  return NULL;
}

const char *
seccomp_native_arch_name (void)
{
  return sc_arch_name (seccomp_arch_native ());
}

/* libseccomp's pseudo numbers for syscalls that exist on other
 * architectures only start here (seccomp-syscalls.h). */
#define SC_PNR_OTHER_ARCH (-10000)

bool
sc_name_on_arch (uint32_t arch, const char *name)
{
  int nr = seccomp_syscall_resolve_name_arch (arch, name);
  return nr != __NR_SCMP_ERROR && nr > SC_PNR_OTHER_ARCH;
}

bool
sc_name_known (const char *name)
{
  size_t i;
  for (i = 0; i < sizeof arches / sizeof arches[0]; i++)
    if (sc_name_on_arch (arches[i].token, name))
      return true;
  return false;
}

bool
sc_cap_known (const char *cap)
{
  /* libcap-ng names capabilities without the prefix, in lower case too. */
  if (cap == NULL || !str_has_prefix (cap, "CAP_") || cap[4] == '\0')
    return false;
  for (const char *p = cap + 4; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
      return false;
  return capng_name_to_capability (cap + 4) >= 0;
}

bool
sc_caps_have (const struct json_value *bounding, const char *cap)
{
  return json_array_has_string (bounding, cap);
}

bool
sc_arg_blocks_clone_ns (const struct json_value *arg)
{
  uint32_t index;
  uint64_t value = 0, value_two = 0;
  const char *op = json_string (json_get (arg, "op"));
  const struct json_value *v2 = json_get (arg, "valueTwo");

  if (op == NULL || json_get_u32 (json_get (arg, "index"), &index) < 0 || index != 0)
    return false;
  if (json_get_u64 (json_get (arg, "value"), &value) < 0)
    return false;
  if (v2 != NULL && json_get_u64 (v2, &value_two) < 0)
    return false;
  if (strcmp (op, "SCMP_CMP_MASKED_EQ") == 0)
    return (value & SECCOMP_CLONE_NS_MASK) == SECCOMP_CLONE_NS_MASK && (value_two & SECCOMP_CLONE_NS_MASK) == 0;
  if (strcmp (op, "SCMP_CMP_EQ") == 0)
    return (value & SECCOMP_CLONE_NS_MASK) == 0;
  return false;
}

bool
sc_args_block_clone_ns (const struct json_value *args)
{
  unsigned counts[6] = { 0 };
  bool repeated = false, any = false, all = true;
  size_t i;

  if (!json_is (args, JSON_ARRAY) || args->count == 0)
    return false;
  for (i = 0; i < args->count; i++)
    {
      uint32_t index;
      bool blocks = sc_arg_blocks_clone_ns (args->items[i]);
      if (json_get_u32 (json_get (args->items[i], "index"), &index) < 0 || index >= 6)
        return false; /* runc refuses it anyway; do not call it safe */
      if (++counts[index] > 1)
        repeated = true;
      any = any || blocks;
      all = all && blocks;
    }
  /* runc ANDs the conditions of one rule, unless an index repeats: then it
   * adds one rule per condition, and any one of them lets clone through. */
  return repeated ? all : any;
}

void
sc_strarray_add_unique (struct json_value *arr, const char *s)
{
  if (!json_array_has_string (arr, s))
    json_array_append (arr, json_new_string (s));
}
