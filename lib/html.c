/*
 * The status pages' HTML (amt/html.h): a document with its styles
 * inline, headings, definition lists and tables, every text escaped.
 * The daemons decide what goes in (relay/status.c, gateway/status.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "amt/html.h"

#define HTML_STYLE \
	"body{font-family:sans-serif;margin:1em 2em;color:#222}" \
	"table{border-collapse:collapse;margin:.5em 0 1.5em}" \
	"th,td{border:1px solid #bbb;padding:.2em .6em;text-align:left}" \
	"th{background:#eee}caption{text-align:left;font-weight:bold}" \
	"dt{float:left;clear:left;width:12em;font-weight:bold}" \
	"dd{margin-left:13em}.empty{color:#777}.error{color:#a00}"

/* HTML 5 12.1.4 (text and attribute values): & < > " ' as references. */
void
html_text(struct evbuffer *out, const char *s)
{
	size_t	n;

	while (*s != '\0') {
		n = strcspn(s, "&<>\"'");
		evbuffer_add(out, s, n);
		s += n;
		switch (*s) {
		case '&': evbuffer_add_printf(out, "&amp;"); break;
		case '<': evbuffer_add_printf(out, "&lt;"); break;
		case '>': evbuffer_add_printf(out, "&gt;"); break;
		case '"': evbuffer_add_printf(out, "&quot;"); break;
		case '\'': evbuffer_add_printf(out, "&#39;"); break;
		default: return;
		}
		s++;
	}
}

void
html_begin(struct evbuffer *out, const char *title, unsigned refresh)
{
	evbuffer_add_printf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
	    "content=\"%u\"><title>", refresh);
	html_text(out, title);
	evbuffer_add_printf(out, "</title><style>%s</style></head>\n<body>"
	    "<h1>", HTML_STYLE);
	html_text(out, title);
	evbuffer_add_printf(out, "</h1>\n");
}

void
html_end(struct evbuffer *out)
{
	evbuffer_add_printf(out, "</body></html>\n");
}

void
html_heading(struct evbuffer *out, const char *title)
{
	evbuffer_add_printf(out, "<h2>");
	html_text(out, title);
	evbuffer_add_printf(out, "</h2>\n");
}

void
html_dl_begin(struct evbuffer *out)
{
	evbuffer_add_printf(out, "<dl>\n");
}

void
html_dl(struct evbuffer *out, const char *key, const char *value)
{
	evbuffer_add_printf(out, "<dt>");
	html_text(out, key);
	evbuffer_add_printf(out, "</dt><dd>");
	html_text(out, value);
	evbuffer_add_printf(out, "</dd>\n");
}

void
html_dl_end(struct evbuffer *out)
{
	evbuffer_add_printf(out, "</dl>\n");
}

void
html_table(struct evbuffer *out, const char *id, const char *caption,
    const char *head, ...)
{
	va_list		 ap;
	const char	*h;

	evbuffer_add_printf(out, "<table id=\"");
	html_text(out, id);
	evbuffer_add_printf(out, "\"><caption>");
	html_text(out, caption);
	evbuffer_add_printf(out, "</caption>\n<tr>");
	va_start(ap, head);
	for (h = head; h != NULL; h = va_arg(ap, const char *)) {
		evbuffer_add_printf(out, "<th>");
		html_text(out, h);
		evbuffer_add_printf(out, "</th>");
	}
	va_end(ap);
	evbuffer_add_printf(out, "</tr>\n");
}

void
html_row(struct evbuffer *out, const char *cell, ...)
{
	va_list		 ap;
	const char	*c;

	evbuffer_add_printf(out, "<tr>");
	va_start(ap, cell);
	for (c = cell; c != NULL; c = va_arg(ap, const char *)) {
		evbuffer_add_printf(out, "<td>");
		html_text(out, c);
		evbuffer_add_printf(out, "</td>");
	}
	va_end(ap);
	evbuffer_add_printf(out, "</tr>\n");
}

void
html_table_end(struct evbuffer *out)
{
	evbuffer_add_printf(out, "</table>\n");
}

void
html_para(struct evbuffer *out, const char *cls, const char *text)
{
	evbuffer_add_printf(out, "<p class=\"");
	html_text(out, cls);
	evbuffer_add_printf(out, "\">");
	html_text(out, text);
	evbuffer_add_printf(out, "</p>\n");
}

/* Decimal prefixes, one digit after the point from 1,000 on. */
const char *
html_si(uint64_t v, char *buf, size_t len)
{
	const char	*pfx = " kMGTPE";
	double		 d = (double)v;
	size_t		 i = 0;

	while (d >= 1000.0 && pfx[i + 1] != '\0') {
		d /= 1000.0;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "%.1f %c", d, pfx[i]);
	return buf;
}

const char *
html_duration(uint64_t s, char *buf, size_t len)
{
	if (s >= 86400)
		snprintf(buf, len, "%llud %lluh %llum", (unsigned long long)
		    (s / 86400), (unsigned long long)(s % 86400 / 3600),
		    (unsigned long long)(s % 3600 / 60));
	else if (s >= 3600)
		snprintf(buf, len, "%lluh %llum %llus", (unsigned long long)
		    (s / 3600), (unsigned long long)(s % 3600 / 60),
		    (unsigned long long)(s % 60));
	else if (s >= 60)
		snprintf(buf, len, "%llum %llus", (unsigned long long)(s / 60),
		    (unsigned long long)(s % 60));
	else
		snprintf(buf, len, "%llus", (unsigned long long)s);
	return buf;
}

const char *
html_time(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

uint64_t
html_rate(uint64_t *mark, uint64_t now, unsigned interval)
{
	uint64_t	d = now >= *mark ? now - *mark : 0;

	*mark = now;
	return interval > 0 ? d / interval : d;
}
