#ifndef SECSHIM_SHA256_H
#define SECSHIM_SHA256_H
#include <stddef.h>
#include <stdint.h>
/* hex must hold 65 bytes. */
void sha256_hex (const void *data, size_t len, char hex[65]);
#endif
