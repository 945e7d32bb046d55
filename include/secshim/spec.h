/* The OCI runtime-spec schema, as runc's Go decoder reads it.
 *
 * json.h gives a faithful tree.  This module checks that tree against the
 * struct layout of runtime-spec (specs-go, v1.0.2 through v1.3) with
 * encoding/json's rules, so that every document secshim accepts is read by
 * runc exactly as secshim reads it (runtime-interface.md section 4):
 *
 *  - In struct-typed objects, keys that are equal under Go's fold (ASCII case,
 *    U+017F LATIN SMALL LETTER LONG S = s, U+212A KELVIN SIGN = k) are
 *    duplicates: refused.  A key that folds onto a known field name but is not
 *    byte-identical to it ("UID", "hoo\u212As") is refused.  Map-typed objects
 *    (annotations, sysctl, unified, ...) compare keys exactly, like Go.
 *  - Each known field's type is checked as Go would decode it: string, bool,
 *    integers by width and sign (lexeme-checked, no fraction or exponent),
 *    arrays, maps of strings, nested structs.  A mismatch is refused.
 *  - null in a known field means "absent" to Go (pointer, slice and map fields
 *    become nil; scalar and struct fields keep their zero value).  Because
 *    duplicates are refused, null and absent are equivalent: spec_normalize()
 *    removes null-valued known fields so that rules only ever see "absent".
 *    null as an element of a known array is refused.
 *  - Unknown fields are kept untouched (runc ignores them, round trip keeps them).
 *
 * Every refusal names the JSON path: "process.user.uid: 4294967296 is out of
 * range for uint32", "linux: key `ſeccomp` folds onto field `seccomp`". */
#ifndef SECSHIM_SPEC_H
#define SECSHIM_SPEC_H

#include "secshim/error.h"
#include "secshim/json.h"

enum spec_kind
{
  SPEC_CONFIG,    /* config.json: specs.Spec */
  SPEC_PROCESS,   /* runc exec --process FILE: specs.Process */
  SPEC_RESOURCES, /* runc update --resources FILE: specs.LinuxResources */
};

/* Validate doc against the schema for kind and remove null-valued known
 * fields.  Returns 0, or -1 with err set (status SECSHIM_EINPUT). */
int spec_normalize (struct json_value *doc, enum spec_kind kind, secshim_error_t *err);

#endif
