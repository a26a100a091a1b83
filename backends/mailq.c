/*
 * mailq.c: the keyed sender hash and the queue names of mailq.h.
 *
 * SipHash-2-4 with a key drawn once per process: a sender's hash cannot
 * be aimed at a victim's from outside.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mailq.h"

static uint8_t	 sip_key[16];
static int	 sip_key_set;

static const char *const queue_names[QUEUE_NAME_COUNT] = {
	"active", "deferred", "hold", "incoming", "maildrop", "corrupt",
	"other"
};

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/* One SipHash round. */
static void
sip_round(struct sender_hash *s)
{
	s->v0 += s->v1; s->v1 = ROTL(s->v1, 13); s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3; s->v3 = ROTL(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = ROTL(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = ROTL(s->v1, 17); s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

/* Load 8 key bytes, little-endian. */
static uint64_t
sip_load(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Pick a random key once per process, so hashes cannot be aimed. */
static void
sip_key_init(void)
{
	uint64_t	 x;

	if (sip_key_set)
		return;
	if (getentropy(sip_key, sizeof(sip_key)) != 0) {
		/* no entropy source: weaker, still not predictable offline */
		x = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
		    (uint64_t)(uintptr_t)&x;
		memcpy(sip_key, &x, sizeof(x));
		x = x * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)clock();
		memcpy(sip_key + 8, &x, sizeof(x));
	}
	sip_key_set = 1;
}

/* Start hashing a sender. */
void
sender_hash_init(struct sender_hash *s)
{
	uint64_t	 k0, k1;

	sip_key_init();
	k0 = sip_load(sip_key);
	k1 = sip_load(sip_key + 8);
	s->v0 = k0 ^ UINT64_C(0x736f6d6570736575);
	s->v1 = k1 ^ UINT64_C(0x646f72616e646f6d);
	s->v2 = k0 ^ UINT64_C(0x6c7967656e657261);
	s->v3 = k1 ^ UINT64_C(0x7465646279746573);
	s->tail = 0;
	s->n = 0;
}

/* Hash one byte, ASCII-lowercased. */
void
sender_hash_byte(struct sender_hash *s, unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	s->tail |= (uint64_t)c << (8 * (s->n & 7));
	if ((++s->n & 7) == 0) {
		s->v3 ^= s->tail;
		sip_round(s);
		sip_round(s);
		s->v0 ^= s->tail;
		s->tail = 0;
	}
}

/* The final hash. */
uint64_t
sender_hash_final(struct sender_hash *s)
{
	uint64_t	 b = s->tail | ((uint64_t)(s->n & 0xff) << 56);
	int		 i;

	s->v3 ^= b;
	sip_round(s);
	sip_round(s);
	s->v0 ^= b;
	s->v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/* Fix the key, for tests and fuzzing. */
void
queue_sender_hash_key(const uint8_t key[16])
{
	memcpy(sip_key, key, sizeof(sip_key));
	sip_key_set = 1;
}

/* The hash a snapshot records for a sender. */
uint64_t
queue_sender_hash(const char *p, size_t len)
{
	struct sender_hash	 s;
	size_t			 i;

	sender_hash_init(&s);
	for (i = 0; i < len; i++)
		sender_hash_byte(&s, (unsigned char)p[i]);
	return sender_hash_final(&s);
}

/* The name Postfix prints for a queue. */
const char *
queue_name_string(enum queue_name q)
{
	if ((unsigned)q >= QUEUE_NAME_COUNT)
		return "other";
	return queue_names[q];
}

/* Which queue a name means. */
enum queue_name
queue_name_lookup(const char *s, size_t len)
{
	int	 i;

	for (i = 0; i < QUEUE_OTHER; i++) {
		if (strlen(queue_names[i]) == len &&
		    memcmp(queue_names[i], s, len) == 0)
			return i;
	}
	return QUEUE_OTHER;
}
