/*
 * libludus_c: the C ABI of the Ludus engine (Sources/LudusCABI), loaded by this package
 * with ctypes. Every function returns an int32_t status and never lets an error cross:
 *
 *   0 LUDUS_OK           1 LUDUS_ENVIRONMENT  (a script failed or broke the contract)
 *   2 LUDUS_SETUP        (unknown environment, parameter, teacher; bad option)
 *   3 LUDUS_ARGUMENT     (NULL pointer, index out of range, malformed JSON)
 *   4 LUDUS_ACTION       (an action refused under the "raise" policy; nothing was played)
 *   5 LUDUS_PARTIAL      (a batch call in which some environments failed: see status rows)
 *
 * The last two parameters of every status-returning function are `char *error, int64_t
 * capacity`: the message (NUL-terminated, cut to capacity) of a failure, "" on success.
 * Strings returned through `char **out` are malloc'd: free them with ludus_string_free.
 * `options` arguments are JSON objects: {"paths": [DIR...], "environments": DIR,
 * "memory_limit": MiB, "time_limit": ms} plus the function's own keys (NULL: defaults).
 * Handles are opaque; use each from one thread at a time. ctypes releases the GIL for the
 * duration of a call; a batch steps on its own threads.
 */
#ifndef LUDUS_H
#define LUDUS_H
#include <stdint.h>

enum { LUDUS_OK = 0, LUDUS_ENVIRONMENT = 1, LUDUS_SETUP = 2, LUDUS_ARGUMENT = 3, LUDUS_ACTION = 4, LUDUS_PARTIAL = 5 };

int32_t ludus_abi_version(void);                      /* 1 */
void ludus_string_free(char *text);
/* The seed `ludus run --seed root` plays episode `index` (1-based) with. */
uint64_t ludus_episode_seed(uint64_t root, uint64_t index);

/* `ludus list` as a JSON array; one environment's facts (spaces, params, players...) as JSON. */
int32_t ludus_list_json(const char *options, char **out, char *error, int64_t capacity);
int32_t ludus_spec_json(const char *name, const char *options, char **out, char *error, int64_t capacity);

/* ---- Batches: N instances of one environment, each with its own VM and episode driver. ----
 * options: + "params" (every instance's), "autoreset" (0 NEXT_STEP, 1 SAME_STEP, 2 disabled),
 * "illegal" ("forfeit": a refused action ends the episode as a forfeit; "raise": status 4). */
int32_t ludus_batch_create(const char *name, const char *options, int64_t count, int32_t threads,
                           void **out, char *error, int64_t capacity);
void ludus_batch_free(void *batch);
/* The facts as JSON, plus "text_stride" (bytes per text slot) and "count". */
int32_t ludus_batch_spec_json(void *batch, char **out, char *error, int64_t capacity);
/* The caller's buffers, written in place by every reset and step (NULL: not written).
 * N environments, P players, K numbers, T text slots, S text stride, A = n of a discrete
 * action space: obs and final_obs float32[N*K] (float64 with double_obs), text and final_text
 * uint8[N*T*S] with text_length, final_text_length int32[N*T], rewards float64[N*P],
 * terminated, truncated, ended uint8[N], mask uint8[N*A], player int32[N] (to move; 0 over),
 * status int32[N], episode_return float64[N*P], episode_length int64[N], episode_hash and
 * episode_seed uint64[N] (of the episode each row's transition belongs to). */
int32_t ludus_batch_set_buffers(void *batch, int32_t double_obs, void *obs, void *final_obs,
                                uint8_t *text, int32_t *text_length, uint8_t *final_text, int32_t *final_text_length,
                                double *rewards, uint8_t *terminated, uint8_t *truncated, uint8_t *ended,
                                uint8_t *mask, int32_t *player, int32_t *status, double *episode_return,
                                int64_t *episode_length, uint64_t *episode_hash, uint64_t *episode_seed,
                                char *error, int64_t capacity);
/* Where each reset and step call leaves its summary: int64[2], [0] a count of the calls in which
 * some environment's text slots changed (unchanged: every text is as it was), [1] how many of
 * the call's environments ended an episode (NULL: none written). */
int32_t ludus_batch_set_summary(void *batch, int64_t *summary, char *error, int64_t capacity);
/* Parameters (a JSON object, checked and completed with defaults) of environment env (-1: all) from its next reset. */
int32_t ludus_batch_set_params(void *batch, int64_t env, const char *params, char *error, int64_t capacity);
/* The exact seed of environment env's next episode (has_seed 0: clear). */
int32_t ludus_batch_set_next_seed(void *batch, int64_t env, uint64_t seed, int32_t has_seed, char *error, int64_t capacity);
/* Resets ids[0..count) (ids NULL: all). seeds NULL: each plays its next episode; else one per id,
 * seed_mode 1: a run seed (episode 1 of `ludus run --seed S`), 2: the exact episode seed. */
int32_t ludus_batch_reset(void *batch, const int64_t *ids, int64_t count, const uint64_t *seeds, int32_t seed_mode,
                          char *error, int64_t capacity);
/* Steps ids[0..count) (NULL: all) with one action per id: discrete[k], or vector[k*W..(k+1)*W)
 * (box, multi-discrete, multi-binary), or text[text_offsets[k]..text_offsets[k+1]) (UTF-8). */
int32_t ludus_batch_step(void *batch, const int64_t *ids, int64_t count, const int64_t *discrete, const double *vector,
                         const uint8_t *text, const int64_t *text_offsets, char *error, int64_t capacity);
/* EnvPool's split step: send copies the actions of ludus_batch_step, starts the step on the
 * batch's threads and returns at once (status 3, kind in_flight, when a step is already in
 * flight); recv waits for it and returns what ludus_batch_step would have (status 3 when
 * nothing was sent). While a step is in flight every other call on the batch fails with
 * status 3. flight: 0 nothing in flight, 1 running, 2 finished and waiting for recv. */
int32_t ludus_batch_send(void *batch, const int64_t *ids, int64_t count, const int64_t *discrete, const double *vector,
                         const uint8_t *text, const int64_t *text_offsets, char *error, int64_t capacity);
int32_t ludus_batch_recv(void *batch, char *error, int64_t capacity);
int32_t ludus_batch_flight(void *batch);
/* Environment env's last error as kind and message ("forfeit" after a forfeit; "" when none). */
int32_t ludus_batch_error(void *batch, int64_t env, char **kind, char **message, char *error, int64_t capacity);
/* E.render text, or with image != 0 the sanitized E.render_image SVG. */
int32_t ludus_batch_render(void *batch, int64_t env, int32_t image, char **out, char *error, int64_t capacity);
/* E.name(self, args...) with a JSON array of arguments; results as a JSON array. */
int32_t ludus_batch_call(void *batch, int64_t env, const char *name, const char *arguments, int32_t results,
                         char **out, char *error, int64_t capacity);
int32_t ludus_batch_set_threads(void *batch, int32_t threads, char *error, int64_t capacity);
/* Seat `seat` (1-based)'s own observation (E.observe) of environment `env`, flattened into
   out[0..count) (count = the observation space's number count). */
int32_t ludus_batch_seat_observation(void *batch, int64_t env, int32_t seat, double *out, int64_t count,
                                     char *error, int64_t capacity);

/* ---- Datasets: `ludus generate` and `ludus score` on `workers` VMs. ---- */
int32_t ludus_dataset_create(const char *name, const char *options, int32_t workers, void **out, char *error, int64_t capacity);
void ludus_dataset_free(void *dataset);
/* Items first..first+count as JSON lines (seed and params as `ludus generate`). */
int32_t ludus_dataset_items(void *dataset, int64_t first, int64_t count, uint64_t seed, const char *params,
                            char **out, char *error, int64_t capacity);
int32_t ludus_dataset_score(void *dataset, const char *item, const char *answer, double *score, char *error, int64_t capacity);
/* count JSON lines {"item", "answer"}: scores[k] (NaN on failure), status[k], messages a JSON array of strings. */
int32_t ludus_dataset_score_batch(void *dataset, const char *lines, int64_t count, double *scores, int32_t *status,
                                  char **messages, char *error, int64_t capacity);
int32_t ludus_dataset_spec_json(void *dataset, char **out, char *error, int64_t capacity);
/* Items first..first+count a chunk at a time (chunk 0: 256 per worker): each next call makes the
 * next chunk of JSON lines into the stream's buffer, *bytes/*length (0 at the end), valid until the
 * next call or the free; end to end, the bytes of ludus_dataset_items. On a failure, the items
 * made before the failing one are still in *bytes, and every later call fails alike. */
int32_t ludus_dataset_stream_open(void *dataset, int64_t first, int64_t count, uint64_t seed, const char *params,
                                  int64_t chunk, void **out, char *error, int64_t capacity);
int32_t ludus_dataset_stream_next(void *stream, const void **bytes, int64_t *length, char *error, int64_t capacity);
void ludus_dataset_stream_free(void *stream);
/* count answers (a JSON array of strings), answer k against entry index[k] of entry_count JSON
 * lines (each entry once): the scores, status and messages of ludus_dataset_score_batch on the
 * lines {"item": ENTRY, "answer": ANSWER}. */
int32_t ludus_dataset_score_entries(void *dataset, const char *entries, int64_t entry_count, const char *answers,
                                    const int64_t *index, int64_t count, double *scores, int32_t *status,
                                    char **messages, char *error, int64_t capacity);

/* ---- Teachers: `ludus teach`'s curricula as a service. ----
 * options: + "seed" (teach's --seed), "params" (fixed, --param), "vary" ({"size": [lo, hi]} or {"size": null}). */
int32_t ludus_teacher_create(const char *teacher, const char *name, const char *options, void **out, char *error, int64_t capacity);
void ludus_teacher_free(void *teacher);
/* {"index", "params", "chosen", "seed", "learn", "replay"} */
int32_t ludus_teacher_sample(void *teacher, char **out, char *error, int64_t capacity);
/* success -1: by success_threshold; student_score and advantage NaN: none; normalized may be NULL. */
int32_t ludus_teacher_update(void *teacher, int64_t index, double episode_return, int32_t success, int64_t length,
                             double student_score, double advantage, double *normalized, char *error, int64_t capacity);
int32_t ludus_teacher_summary(void *teacher, char **out, char *error, int64_t capacity);

#endif
