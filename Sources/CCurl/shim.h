#ifndef NOTIFY_UNIT_CCURL_SHIM_H
#define NOTIFY_UNIT_CCURL_SHIM_H
#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot
// call: these typed wrappers are the only way Swift reaches them.
static inline CURLcode nu_curl_setopt_long(CURL *c, CURLoption o, long v) {
  return curl_easy_setopt(c, o, v);
}
static inline CURLcode nu_curl_setopt_off(CURL *c, CURLoption o, curl_off_t v) {
  return curl_easy_setopt(c, o, v);
}
static inline CURLcode nu_curl_setopt_string(CURL *c, CURLoption o, const char *v) {
  return curl_easy_setopt(c, o, v);
}
static inline CURLcode nu_curl_setopt_pointer(CURL *c, CURLoption o, void *v) {
  return curl_easy_setopt(c, o, v);
}
static inline CURLcode nu_curl_setopt_slist(CURL *c, CURLoption o, struct curl_slist *v) {
  return curl_easy_setopt(c, o, v);
}
static inline CURLcode nu_curl_setopt_write_callback(CURL *c, CURLoption o, curl_write_callback v) {
  return curl_easy_setopt(c, o, v);
}
static inline CURLcode nu_curl_getinfo_long(CURL *c, CURLINFO i, long *v) {
  return curl_easy_getinfo(c, i, v);
}
#endif
