/*
 * The status pages' HTML (lib/html.c): every character with a meaning
 * in HTML is escaped in text, cells, captions and titles, so that a
 * string from the network (an interface name, a relay address, a log
 * message quoting a packet) can never open an element or an attribute;
 * numbers and durations for people; the per-interval rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>

#include "amt/html.h"

static char *
text_of(struct evbuffer *b)
{
	size_t	 n = evbuffer_get_length(b);
	char	*s = malloc(n + 1);

	assert_non_null(s);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	return s;
}

static void
test_html_escapes_every_special_character(void **state)
{
	struct evbuffer	*b = evbuffer_new();
	char		*s;

	html_text(b, "a<script>\"x\" & 'y'</script>");
	s = text_of(b);
	assert_string_equal(s, "a&lt;script&gt;&quot;x&quot; &amp; "
	    "&#39;y&#39;&lt;/script&gt;");
	free(s);
	html_row(b, "<b>", "&amp;", NULL);
	s = text_of(b);
	assert_string_equal(s, "<tr><td>&lt;b&gt;</td><td>&amp;amp;</td>"
	    "</tr>\n");
	free(s);
	evbuffer_free(b);
}

static void
test_html_page_has_refresh_and_escaped_title(void **state)
{
	struct evbuffer	*b = evbuffer_new();
	char		*s;

	html_begin(b, "x\"><img src=y>", 5);
	html_table(b, "t\"", "<c>", "<h>", NULL);
	html_table_end(b);
	html_end(b);
	s = text_of(b);
	assert_non_null(strstr(s, "http-equiv=\"refresh\" content=\"5\""));
	assert_null(strstr(s, "<img"));
	assert_null(strstr(s, "<c>"));
	assert_null(strstr(s, "<h>"));
	assert_non_null(strstr(s, "id=\"t&quot;\""));
	assert_non_null(strstr(s, "</html>\n"));
	free(s);
	evbuffer_free(b);
}

static void
test_html_numbers_durations_rates(void **state)
{
	char		buf[32];
	uint64_t	mark = 100;

	assert_string_equal(html_si(999, buf, sizeof(buf)), "999");
	assert_string_equal(html_si(1500, buf, sizeof(buf)), "1.5 k");
	assert_string_equal(html_si(2500000000ULL, buf, sizeof(buf)), "2.5 G");
	assert_string_equal(html_duration(59, buf, sizeof(buf)), "59s");
	assert_string_equal(html_duration(3725, buf, sizeof(buf)), "1h 2m 5s");
	assert_string_equal(html_duration(90061, buf, sizeof(buf)),
	    "1d 1h 1m");
	assert_string_equal(html_time(0, buf, sizeof(buf)), "-");
	assert_string_equal(html_time(86400, buf, sizeof(buf)),
	    "1970-01-02 00:00:00 UTC");
	assert_int_equal(html_rate(&mark, 300, 2), 100);
	assert_int_equal(mark, 300);
	/* A counter that went back (a restart): no rate, not a wrap. */
	assert_int_equal(html_rate(&mark, 10, 2), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_escapes_every_special_character),
		cmocka_unit_test(test_html_page_has_refresh_and_escaped_title),
		cmocka_unit_test(test_html_numbers_durations_rates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
