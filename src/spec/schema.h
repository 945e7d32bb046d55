/* Internal to src/spec: the runtime-spec struct layout as data.
 *
 * One schema_struct per Go struct of specs-go, one schema_field per JSON
 * field, typed as encoding/json decodes it on linux/amd64 (Go int and uint
 * are 64-bit, os.FileMode is uint32, named string types are strings). */
#ifndef SECSHIM_SPEC_SCHEMA_H
#define SECSHIM_SPEC_SCHEMA_H

#include <stddef.h>

enum schema_kind
{
  SK_STRING,
  SK_BOOL,
  SK_INT64,
  SK_INT32,
  SK_UINT16,
  SK_UINT32,
  SK_UINT64,
  SK_STRUCT,     /* sub */
  SK_ARRAY,      /* of elem (SK_STRUCT: of sub) */
  SK_MAP_STRING, /* map[string]string: keys compared exactly */
  SK_MAP_STRUCT, /* map[string]sub */
  SK_ANY,        /* interface{}, or a field whose type changed between versions */
};

struct schema_struct;

struct schema_field
{
  const char *name; /* the json tag, exact */
  size_t name_len;
  enum schema_kind kind;
  enum schema_kind elem;
  const struct schema_struct *sub;
};

struct schema_struct
{
  const char *go_name;
  const struct schema_field *fields;
  size_t nfields;
};

extern const struct schema_struct schema_spec;
extern const struct schema_struct schema_process;
extern const struct schema_struct schema_linux_resources;

#endif
