/*
 * /metrics: a listener on 127.0.0.1:0 driven by a real event loop,
 * fetched over a real TCP socket; the reply is parsed by a strict
 * parser of the Prometheus text format 0.0.4 written here (HELP then
 * TYPE once per metric before its samples, samples of a metric
 * together, valid names, only the three escapes, one value per line,
 * no duplicate series).  404 elsewhere, 405 for POST, 500 on misuse.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "amt/metrics.h"

/* ---- a strict parser of the exposition format ---- */

#define P_MAX	64

struct prom {
	char	names[P_MAX][128];	/* metrics in order */
	char	series[P_MAX][256];	/* name{labels} seen */
	int	nnames, nseries, nsamples;
	char	cur[128];		/* metric of the last TYPE */
	bool	have_help;
};

static bool
name_ok(const char *s, size_t n, bool label)
{
	size_t	i;

	if (n == 0 || isdigit((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    (label || s[i] != ':'))
			return false;
	return true;
}

/* A quoted label value; only \\, \" and \n escapes. */
static const char *
label_value(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (*p == '\0' || *p == '\n')
			return NULL;
		if (*p == '\\' && (p[1] == '\\' || p[1] == '"' || p[1] == 'n'))
			p++;
		else if (*p == '\\')
			return NULL;
	}
	return p + 1;
}

static int
comment_line(struct prom *pr, const char *l)
{
	const char	*sp;
	size_t		 n;
	int		 i;

	if (strncmp(l, "# HELP ", 7) == 0) {
		l += 7;
		sp = strchr(l, ' ');
		n = sp ? (size_t)(sp - l) : strlen(l);
		if (!name_ok(l, n, false) || pr->have_help || n >= 128)
			return -1;
		for (i = 0; i < pr->nnames; i++)	/* metric split */
			if (strlen(pr->names[i]) == n &&
			    strncmp(pr->names[i], l, n) == 0)
				return -1;
		snprintf(pr->cur, sizeof(pr->cur), "%.*s", (int)n, l);
		snprintf(pr->names[pr->nnames++], 128, "%s", pr->cur);
		pr->have_help = true;
		for (sp = sp ? sp + 1 : l + n; *sp != '\0'; sp++)
			if (*sp == '\\' && sp[1] != '\\' && sp[1] != 'n')
				return -1;
			else if (*sp == '\\')
				sp++;
		return 0;
	}
	if (strncmp(l, "# TYPE ", 7) == 0) {
		n = strlen(pr->cur);
		if (!pr->have_help || strncmp(l + 7, pr->cur, n) != 0 ||
		    (strcmp(l + 7 + n, " counter") != 0 &&
		    strcmp(l + 7 + n, " gauge") != 0))
			return -1;
		pr->have_help = false;
		return 0;
	}
	return -1;
}

static int
sample_line(struct prom *pr, const char *l)
{
	const char	*p = l, *eq;
	char		*end;
	int		 i;

	p += strcspn(p, "{ ");
	if (!name_ok(l, (size_t)(p - l), false) || pr->have_help ||
	    strlen(pr->cur) != (size_t)(p - l) ||
	    strncmp(l, pr->cur, (size_t)(p - l)) != 0)
		return -1;
	if (*p == '{') {
		for (p++;;) {
			if ((eq = strchr(p, '=')) == NULL ||
			    !name_ok(p, (size_t)(eq - p), true) ||
			    (p = label_value(eq + 1)) == NULL)
				return -1;
			if (*p == '}')
				break;
			if (*p++ != ',')
				return -1;
		}
		p++;
	}
	if (*p++ != ' ' || !isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	(void)strtoull(p, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	for (i = 0; i < pr->nseries; i++)
		if (strncmp(pr->series[i], l, (size_t)(p - 1 - l)) == 0 &&
		    pr->series[i][p - 1 - l] == '\0')
			return -1;
	if (pr->nseries < P_MAX)
		snprintf(pr->series[pr->nseries++], 256, "%.*s",
		    (int)(p - 1 - l), l);
	pr->nsamples++;
	return 0;
}

/* 0 if the whole body follows the format, else the bad line's number. */
static int
prom_parse(const char *body, struct prom *pr)
{
	char	line[1024];
	int	lineno = 0;
	size_t	n;

	memset(pr, 0, sizeof(*pr));
	if (*body != '\0' && body[strlen(body) - 1] != '\n')
		return -1;
	while (*body != '\0') {
		lineno++;
		n = strcspn(body, "\n");
		if (n == 0 || n >= sizeof(line) || pr->nnames == P_MAX)
			return lineno;
		memcpy(line, body, n);
		line[n] = '\0';
		body += n + 1;
		if ((line[0] == '#' ? comment_line(pr, line) :
		    sample_line(pr, line)) == -1)
			return lineno;
	}
	return pr->have_help ? lineno : 0;
}

/* ---- an HTTP client over a real socket, pumping the loop ---- */

static int
http_fetch(struct event_base *base, struct metrics *m, const char *req,
    char *out, size_t len)
{
	struct sockaddr_storage	ss;
	size_t			got = 0;
	ssize_t			n;
	int			s, i;

	assert_int_equal(metrics_addr(m, &ss), 0);
	assert_true((s = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(connect(s, (struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in)), 0);
	assert_int_equal(write(s, req, strlen(req)), (ssize_t)strlen(req));
	fcntl(s, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 3000; i++) {		/* at most ~3 s */
		event_base_loop(base, EVLOOP_NONBLOCK);
		n = read(s, out + got, len - 1 - got);
		if (n == 0)
			break;
		if (n > 0)
			got += (size_t)n;
		else if (errno == EAGAIN)
			usleep(1000);
		else
			break;
	}
	close(s);
	out[got] = '\0';
	return (int)got;
}

/* Status code; *body after the blank line. */
static int
http_status(char *resp, char **body)
{
	char	*p;

	if (strncmp(resp, "HTTP/1.", 7) != 0)
		return -1;
	if ((p = strstr(resp, "\r\n\r\n")) != NULL) {
		*p = '\0';
		*body = p + 4;
	} else
		*body = NULL;
	return atoi(resp + 9);
}

/* ---- the tests ---- */

static void
sample_cb(struct metrics_builder *b, void *arg)
{
	int	*calls = arg;

	(*calls)++;
	metrics_add(b, "amt_relay_request_total", METRICS_COUNTER,
	    "Requests received", 42, NULL);
	metrics_add(b, "amt_relay_tunnel_data_packets_total",
	    METRICS_COUNTER, "Data packets sent\\per tunnel\nsecond line",
	    7, "gateway", "192.0.2.1", "port", "4321", NULL);
	metrics_add(b, "amt_relay_tunnel_data_packets_total",
	    METRICS_COUNTER, "Data packets sent\\per tunnel\nsecond line",
	    UINT64_MAX, "gateway", "a\"b\\c\nd", "port", "1", NULL);
	metrics_add(b, "amt_relay_tunnels", METRICS_GAUGE, "Tunnels", 2,
	    NULL);
}

static const char expected[] =
    "# HELP amt_relay_request_total Requests received\n"
    "# TYPE amt_relay_request_total counter\n"
    "amt_relay_request_total 42\n"
    "# HELP amt_relay_tunnel_data_packets_total Data packets sent\\\\per "
    "tunnel\\nsecond line\n"
    "# TYPE amt_relay_tunnel_data_packets_total counter\n"
    "amt_relay_tunnel_data_packets_total{gateway=\"192.0.2.1\","
    "port=\"4321\"} 7\n"
    "amt_relay_tunnel_data_packets_total{gateway=\"a\\\"b\\\\c\\nd\","
    "port=\"1\"} 18446744073709551615\n"
    "# HELP amt_relay_tunnels Tunnels\n"
    "# TYPE amt_relay_tunnels gauge\n"
    "amt_relay_tunnels 2\n";

struct fixture {
	struct event_base	*base;
	struct metrics		*m;
	int			 calls;
	char			 resp[16384];
};

static struct fixture *
start(metrics_cb cb)
{
	struct fixture		*f = calloc(1, sizeof(*f));
	struct sockaddr_in	 sin;
	char			 err[256];

	assert_non_null(f);
	assert_non_null(f->base = event_base_new());
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->m = metrics_new(f->base, (struct sockaddr *)&sin, cb, &f->calls,
	    err, sizeof(err));
	assert_non_null(f->m);
	return f;
}

static void
stop(struct fixture *f)
{
	metrics_free(f->m);
	event_base_free(f->base);
	free(f);
}

static void
test_metrics_get_parses_strictly(void **state)
{
	struct fixture	*f = start(sample_cb);
	struct prom	 pr;
	char		*body;

	assert_true(http_fetch(f->base, f->m, "GET /metrics HTTP/1.0\r\n\r\n",
	    f->resp, sizeof(f->resp)) > 0);
	assert_int_equal(http_status(f->resp, &body), 200);
	assert_non_null(strstr(f->resp, "Content-Type: text/plain; "
	    "version=0.0.4; charset=utf-8"));
	assert_non_null(body);
	assert_string_equal(body, expected);
	assert_int_equal(prom_parse(body, &pr), 0);
	assert_int_equal(pr.nnames, 3);
	assert_int_equal(pr.nsamples, 4);
	assert_int_equal(f->calls, 1);
	/* Query strings are fine; the callback runs per scrape. */
	http_fetch(f->base, f->m, "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n"
	    "Connection: close\r\n\r\n", f->resp, sizeof(f->resp));
	assert_int_equal(http_status(f->resp, &body), 200);
	assert_int_equal(f->calls, 2);
	stop(f);
}

static void
test_metrics_404_elsewhere_405_for_post(void **state)
{
	struct fixture	*f = start(sample_cb);
	char		*body;

	http_fetch(f->base, f->m, "GET / HTTP/1.0\r\n\r\n", f->resp,
	    sizeof(f->resp));
	assert_int_equal(http_status(f->resp, &body), 404);
	http_fetch(f->base, f->m, "GET /metricsx HTTP/1.0\r\n\r\n", f->resp,
	    sizeof(f->resp));
	assert_int_equal(http_status(f->resp, &body), 404);
	http_fetch(f->base, f->m, "POST /metrics HTTP/1.0\r\n"
	    "Content-Length: 0\r\n\r\n", f->resp, sizeof(f->resp));
	assert_int_equal(http_status(f->resp, &body), 405);
	assert_non_null(strstr(f->resp, "Allow: GET, HEAD"));
	http_fetch(f->base, f->m, "DELETE /metrics HTTP/1.0\r\n\r\n",
	    f->resp, sizeof(f->resp));
	assert_int_equal(http_status(f->resp, &body), 405);
	http_fetch(f->base, f->m, "HEAD /metrics HTTP/1.0\r\n\r\n", f->resp,
	    sizeof(f->resp));
	assert_int_equal(http_status(f->resp, &body), 200);
	assert_string_equal(body, "");
	assert_int_equal(f->calls, 0);
	stop(f);
}

static void
bad_cb(struct metrics_builder *b, void *arg)
{
	metrics_add(b, "amt_a_total", METRICS_COUNTER, "a", 1, NULL);
	metrics_add(b, "amt_b_total", METRICS_COUNTER, "b", 1, NULL);
	metrics_add(b, "amt_a_total", METRICS_COUNTER, "a", 2, "x", "y",
	    NULL);
}

static void
test_metrics_misuse_is_500_not_bad_text(void **state)
{
	struct fixture		*f = start(bad_cb);
	struct metrics_builder	*b;
	char			*body;

	http_fetch(f->base, f->m, "GET /metrics HTTP/1.0\r\n\r\n", f->resp,
	    sizeof(f->resp));
	assert_int_equal(http_status(f->resp, &body), 500);
	stop(f);
	assert_non_null(b = metrics_builder_new());
	metrics_add(b, "9bad", METRICS_GAUGE, "x", 1, NULL);
	assert_null(metrics_builder_text(b));
	metrics_builder_free(b);
	assert_non_null(b = metrics_builder_new());
	metrics_add(b, "ok", METRICS_GAUGE, "x", 1, "__reserved", "v", NULL);
	assert_null(metrics_builder_text(b));
	metrics_builder_free(b);
	assert_non_null(b = metrics_builder_new());
	metrics_add(b, "ok", METRICS_GAUGE, "x", 1, "bad-label", "v", NULL);
	assert_null(metrics_builder_text(b));
	metrics_builder_free(b);
}

/* The test's parser itself must reject what the format forbids. */
static void
test_metrics_strict_parser_rejects_bad_text(void **state)
{
	struct prom	pr;

	assert_int_equal(prom_parse(expected, &pr), 0);
	assert_int_not_equal(prom_parse("a 1\n", &pr), 0);
	assert_int_not_equal(prom_parse("# HELP a x\n# TYPE a counter\n"
	    "a{l=\"\\x\"} 1\n", &pr), 0);
	assert_int_not_equal(prom_parse("# HELP a x\n# TYPE a counter\n"
	    "a 1\n# HELP b x\n# TYPE b gauge\nb 1\n# HELP a x\n", &pr), 0);
	assert_int_not_equal(prom_parse("# HELP a x\n# TYPE a counter\n"
	    "a 1\na 2\n", &pr), 0);
	assert_int_not_equal(prom_parse("# HELP a x\n# TYPE a counter\n"
	    "a 1", &pr), 0);
	assert_int_not_equal(prom_parse("# HELP a x\n# TYPE a summary\n",
	    &pr), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_metrics_get_parses_strictly),
		cmocka_unit_test(test_metrics_404_elsewhere_405_for_post),
		cmocka_unit_test(test_metrics_misuse_is_500_not_bad_text),
		cmocka_unit_test(test_metrics_strict_parser_rejects_bad_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
