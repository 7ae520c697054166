#ifndef NOTIFY_UNIT_CCURL_H
#define NOTIFY_UNIT_CCURL_H
#include <curl/curl.h>

// libcurl is loaded on first use (dlopen), not at start-up: it drags in ~35
// shared libraries whose loading and constructors cost ~7 ms, more than
// everything else notify-unit does before a run without a ping needs it.
//
// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot
// call: these typed wrappers are the only way Swift reaches them.

// Loads libcurl.so.4 once; 0 on success, else -1 and `nu_curl_error()` says why.
int nu_curl_load(void);
const char *nu_curl_error(void);

CURLcode nu_curl_global_init(long flags);
CURL *nu_curl_easy_init(void);
void nu_curl_easy_cleanup(CURL *c);
CURLcode nu_curl_easy_perform(CURL *c);
const char *nu_curl_easy_strerror(CURLcode code);
struct curl_slist *nu_curl_slist_append(struct curl_slist *list, const char *s);
void nu_curl_slist_free_all(struct curl_slist *list);

CURLcode nu_curl_setopt_long(CURL *c, CURLoption o, long v);
CURLcode nu_curl_setopt_off(CURL *c, CURLoption o, curl_off_t v);
CURLcode nu_curl_setopt_string(CURL *c, CURLoption o, const char *v);
CURLcode nu_curl_setopt_pointer(CURL *c, CURLoption o, void *v);
CURLcode nu_curl_setopt_slist(CURL *c, CURLoption o, struct curl_slist *v);
CURLcode nu_curl_setopt_write_callback(CURL *c, CURLoption o, curl_write_callback v);
CURLcode nu_curl_setopt_read_callback(CURL *c, CURLoption o, curl_read_callback v);
CURLcode nu_curl_getinfo_long(CURL *c, CURLINFO i, long *v);
#endif
