/*
 * notify_text.c: the words of an alert: sanitised, bounded plain text for
 * the hook and the status line, and the same escaped for the notification
 * markup.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "notify_int.h"
#include "core/sanitize.h"

static const char *const alert_kinds[] = {
	[ALERT_ACCOUNT_LEVEL] = "account",
	[ALERT_CONTAINMENT] = "containment",
	[ALERT_IP_LISTED] = "listed",
	[ALERT_SERVER_STALE] = "stale",
};

/* See notify.h. */
const char *
alert_kind_name(enum alert_kind k)
{
	if ((unsigned)k >= sizeof(alert_kinds) / sizeof(alert_kinds[0]))
		return "alert";
	return alert_kinds[k];
}

/* See notify.h. */
int
notify_urgency(enum level l)
{
	switch (l) {
	case LEVEL_CRITICAL:
		return 2;
	case LEVEL_SUSPICIOUS:
		return 1;
	default:
		return 0;
	}
}

/* See notify_int.h. */
size_t
notify_escape_markup(char *out, size_t size, const char *p, size_t len)
{
	const char	*rep;
	char		 one[2] = { 0, 0 };
	size_t		 o = 0, n, i;

	if (size == 0)
		return 0;
	for (i = 0; i < len && p[i] != '\0'; i++) {
		switch (p[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case '"':
			rep = "&quot;";
			break;
		default:
			one[0] = p[i];
			rep = one;
		}
		n = strlen(rep);
		/* never half an entity; the input is whole characters */
		if (o + n >= size)
			break;
		memcpy(out + o, rep, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}

/* See notify_int.h. */
size_t
notify_plain(char *out, size_t size, const char *s, size_t max)
{
	size_t	 len, o;

	if (size == 0)
		return 0;
	if (s == NULL)
		s = "";
	len = strlen(s);
	if (len > max) {
		len = max;
		/* back to the start of a character, if it looks like one */
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80 &&
		    max - len < 4)
			len--;
	}
	o = sanitize_text_utf8(out, size, s, len);	/* D-Bus text is UTF-8 */
	if (len < strlen(s) && o + 3 < size) {
		memcpy(out + o, "...", 4);
		o += 3;
	}
	return o;
}

/* See notify_int.h. */
void
notify_title(const struct alert *a, char *out, size_t size)
{
	char		 made[NOTIFY_TITLE_MAX * 2];
	const char	*acct = a->account != NULL ? a->account : "?";
	const char	*srv = a->server != NULL ? a->server : "?";

	if (a->title != NULL && a->title[0] != '\0') {
		notify_plain(out, size, a->title, NOTIFY_TITLE_MAX);
		return;
	}
	switch (a->kind) {
	case ALERT_ACCOUNT_LEVEL:
		snprintf(made, sizeof(made), "%s is %s on %s", acct,
		    level_name(a->level), srv);
		break;
	case ALERT_CONTAINMENT:
		snprintf(made, sizeof(made), "containment ran for %s on %s",
		    acct, srv);
		break;
	case ALERT_IP_LISTED:
		snprintf(made, sizeof(made), "an IP of %s is listed", srv);
		break;
	default:
		snprintf(made, sizeof(made), "%s is stale", srv);
	}
	notify_plain(out, size, made, NOTIFY_TITLE_MAX);
}

/* See notify_int.h. */
void
notify_body(const struct alert *a, unsigned held, char *out, size_t size)
{
	size_t	 o;

	o = notify_plain(out, size, a->body, NOTIFY_BODY_MAX);
	if (held > 0 && o < size)
		snprintf(out + o, size - o, "%sand %u more alert%s",
		    o > 0 ? "\n" : "", held, held == 1 ? "" : "s");
}

/* See notify_int.h. */
void
notify_key(const struct alert *a, char *out, size_t size)
{
	if (a->key != NULL)
		snprintf(out, size, "%s", a->key);
	else
		snprintf(out, size, "%s|%s|%s", alert_kind_name(a->kind),
		    a->server != NULL ? a->server : "",
		    a->account != NULL ? a->account : "");
}

/* See notify_int.h. */
void
notify_time(int64_t t, char *out, size_t size)
{
	struct tm	 tm;
	time_t		 tt = t != 0 ? (time_t)t : time(NULL);

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "%lld", (long long)tt);
}
