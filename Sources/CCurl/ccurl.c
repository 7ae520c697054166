#include "ccurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

static struct {
  CURLcode (*global_init)(long);
  CURL *(*easy_init)(void);
  void (*easy_cleanup)(CURL *);
  CURLcode (*easy_perform)(CURL *);
  const char *(*easy_strerror)(CURLcode);
  CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
  struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
  void (*slist_free_all)(struct curl_slist *);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = -1;
static const char *error = "libcurl was not loaded";

#define RESOLVE(handle, field, name)            \
  do {                                          \
    *(void **)(&api.field) = dlsym(handle, name); \
    if (api.field == NULL) {                    \
      error = "libcurl.so.4 lacks " name;       \
      return;                                   \
    }                                           \
  } while (0)

static void load(void) {
  void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) {
    const char *e = dlerror();
    error = e ? e : "libcurl.so.4 could not be loaded";
    return;
  }
  RESOLVE(h, global_init, "curl_global_init");
  RESOLVE(h, easy_init, "curl_easy_init");
  RESOLVE(h, easy_cleanup, "curl_easy_cleanup");
  RESOLVE(h, easy_perform, "curl_easy_perform");
  RESOLVE(h, easy_strerror, "curl_easy_strerror");
  RESOLVE(h, easy_setopt, "curl_easy_setopt");
  RESOLVE(h, easy_getinfo, "curl_easy_getinfo");
  RESOLVE(h, slist_append, "curl_slist_append");
  RESOLVE(h, slist_free_all, "curl_slist_free_all");
  loaded = 0;
}

int nu_curl_load(void) {
  pthread_once(&once, load);
  return loaded;
}

const char *nu_curl_error(void) { return error; }

CURLcode nu_curl_global_init(long flags) { return api.global_init(flags); }
CURL *nu_curl_easy_init(void) { return api.easy_init(); }
void nu_curl_easy_cleanup(CURL *c) { api.easy_cleanup(c); }
CURLcode nu_curl_easy_perform(CURL *c) { return api.easy_perform(c); }
const char *nu_curl_easy_strerror(CURLcode code) { return api.easy_strerror(code); }
struct curl_slist *nu_curl_slist_append(struct curl_slist *l, const char *s) {
  return api.slist_append(l, s);
}
void nu_curl_slist_free_all(struct curl_slist *l) { api.slist_free_all(l); }

CURLcode nu_curl_setopt_long(CURL *c, CURLoption o, long v) { return api.easy_setopt(c, o, v); }
CURLcode nu_curl_setopt_off(CURL *c, CURLoption o, curl_off_t v) {
  return api.easy_setopt(c, o, v);
}
CURLcode nu_curl_setopt_string(CURL *c, CURLoption o, const char *v) {
  return api.easy_setopt(c, o, v);
}
CURLcode nu_curl_setopt_pointer(CURL *c, CURLoption o, void *v) {
  return api.easy_setopt(c, o, v);
}
CURLcode nu_curl_setopt_slist(CURL *c, CURLoption o, struct curl_slist *v) {
  return api.easy_setopt(c, o, v);
}
CURLcode nu_curl_setopt_write_callback(CURL *c, CURLoption o, curl_write_callback v) {
  return api.easy_setopt(c, o, v);
}
CURLcode nu_curl_setopt_read_callback(CURL *c, CURLoption o, curl_read_callback v) {
  return api.easy_setopt(c, o, v);
}
CURLcode nu_curl_getinfo_long(CURL *c, CURLINFO i, long *v) { return api.easy_getinfo(c, i, v); }
