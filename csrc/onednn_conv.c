/* float32 convolutions through oneDNN, loaded at run time (see onednn.c).
 *
 * The arrays stay in fastgrad's plain layouts: x (N, C, H, W), weights
 * (O, C / groups, KH, KW), y (N, O, OH, OW), all C-contiguous.  oneDNN picks
 * its own (blocked) layouts for the forward, backward-data and
 * backward-weights primitives; each argument whose layout differs is
 * reordered into, or out of, a buffer that the plan keeps.  A plan (the three
 * primitives, their reorders and buffers) is made once per geometry and kept
 * in a small cache; calls are serialised by a mutex, since the plan's memory
 * objects are rebound to the caller's arrays per call.  The declarations below
 * follow oneDNN's dnnl.h (v3); the enum values used are stable across v3.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fastgrad.h"

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#include <pthread.h>
#define FG_HAVE_DLOPEN 1
#endif

#ifdef FG_HAVE_DLOPEN
enum { OK = 0, F32 = 3, FORMAT_ANY = 1, FORWARD_TRAINING = 64, CONVOLUTION_DIRECT = 1, IN_ORDER = 1 };
enum { ARG_SRC = 1, ARG_DST = 17, ARG_WEIGHTS = 33, ARG_BIAS = 41, ARG_DIFF_SRC = 129, ARG_DIFF_DST = 145,
       ARG_DIFF_WEIGHTS = 161, ARG_DIFF_BIAS = 169 };
enum { QUERY_SRC = 129, QUERY_DIFF_SRC = 130, QUERY_WEIGHTS = 131, QUERY_DIFF_WEIGHTS = 132, QUERY_DST = 133,
       QUERY_DIFF_DST = 134 };
#define MAX_DIMS 12

typedef void *handle_t;
typedef int64_t dims_t[MAX_DIMS];
typedef struct { int arg; handle_t memory; } exec_arg;

static struct {
    int ready;
    handle_t engine, stream;
    int (*stream_create)(handle_t *, handle_t, unsigned);
    int (*stream_wait)(handle_t);
    int (*md_with_strides)(handle_t *, int, const int64_t *, int, const int64_t *);
    int (*md_with_tag)(handle_t *, int, const int64_t *, int, int);
    int (*md_clone)(handle_t *, handle_t);
    int (*md_equal)(handle_t, handle_t);
    size_t (*md_size)(handle_t);
    int (*md_destroy)(handle_t);
    handle_t (*query_md)(handle_t, int, int);
    int (*forward_pd)(handle_t *, handle_t, int, int, handle_t, handle_t, handle_t, handle_t, const int64_t *,
                      const int64_t *, const int64_t *, const int64_t *, handle_t);
    int (*backward_data_pd)(handle_t *, handle_t, int, handle_t, handle_t, handle_t, const int64_t *,
                            const int64_t *, const int64_t *, const int64_t *, handle_t, handle_t);
    int (*backward_weights_pd)(handle_t *, handle_t, int, handle_t, handle_t, handle_t, handle_t, const int64_t *,
                               const int64_t *, const int64_t *, const int64_t *, handle_t, handle_t);
    int (*reorder_pd)(handle_t *, handle_t, handle_t, handle_t, handle_t, handle_t);
    int (*pd_destroy)(handle_t);
    int (*primitive_create)(handle_t *, handle_t);
    int (*primitive_execute)(handle_t, handle_t, int, const exec_arg *);
    int (*primitive_destroy)(handle_t);
    int (*memory_create)(handle_t *, handle_t, handle_t, void *);
    int (*memory_set_data_handle)(handle_t, void *);
    int (*memory_destroy)(handle_t);
} dnnl;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *lookup(void *library, const char *name, int *missing)
{
    void *p = dlsym(library, name);
    if (!p)
        *missing = 1;
    return p;
}

/* The entry points used here, looked up in the library that fg_onednn_load opened. */
static int prepare(char *message, int64_t message_len)
{
    void *library;
    handle_t engine;
    int missing = 0;
    if (dnnl.ready)
        return FG_ONEDNN_OK;
    library = fg_onednn_library(&engine);
    if (!library)
        return FG_ONEDNN_NOT_LOADED;
    *(void **)&dnnl.stream_create = lookup(library, "dnnl_stream_create", &missing);
    *(void **)&dnnl.stream_wait = lookup(library, "dnnl_stream_wait", &missing);
    *(void **)&dnnl.md_with_strides = lookup(library, "dnnl_memory_desc_create_with_strides", &missing);
    *(void **)&dnnl.md_with_tag = lookup(library, "dnnl_memory_desc_create_with_tag", &missing);
    *(void **)&dnnl.md_clone = lookup(library, "dnnl_memory_desc_clone", &missing);
    *(void **)&dnnl.md_equal = lookup(library, "dnnl_memory_desc_equal", &missing);
    *(void **)&dnnl.md_size = lookup(library, "dnnl_memory_desc_get_size", &missing);
    *(void **)&dnnl.md_destroy = lookup(library, "dnnl_memory_desc_destroy", &missing);
    *(void **)&dnnl.query_md = lookup(library, "dnnl_primitive_desc_query_md", &missing);
    *(void **)&dnnl.forward_pd = lookup(library, "dnnl_convolution_forward_primitive_desc_create", &missing);
    *(void **)&dnnl.backward_data_pd = lookup(library, "dnnl_convolution_backward_data_primitive_desc_create",
                                              &missing);
    *(void **)&dnnl.backward_weights_pd = lookup(library, "dnnl_convolution_backward_weights_primitive_desc_create",
                                                 &missing);
    *(void **)&dnnl.reorder_pd = lookup(library, "dnnl_reorder_primitive_desc_create", &missing);
    *(void **)&dnnl.pd_destroy = lookup(library, "dnnl_primitive_desc_destroy", &missing);
    *(void **)&dnnl.primitive_create = lookup(library, "dnnl_primitive_create", &missing);
    *(void **)&dnnl.primitive_execute = lookup(library, "dnnl_primitive_execute", &missing);
    *(void **)&dnnl.primitive_destroy = lookup(library, "dnnl_primitive_destroy", &missing);
    *(void **)&dnnl.memory_create = lookup(library, "dnnl_memory_create", &missing);
    *(void **)&dnnl.memory_set_data_handle = lookup(library, "dnnl_memory_set_data_handle", &missing);
    *(void **)&dnnl.memory_destroy = lookup(library, "dnnl_memory_destroy", &missing);
    if (missing) {
        snprintf(message, (size_t)message_len, "the loaded oneDNN lacks the v3 convolution C API");
        return FG_ONEDNN_FAILED;
    }
    if (dnnl.stream_create(&dnnl.stream, engine, IN_ORDER) != OK) {
        snprintf(message, (size_t)message_len, "oneDNN: cannot make a stream for the convolutions");
        return FG_ONEDNN_FAILED;
    }
    dnnl.engine = engine;
    dnnl.ready = 1;
    return FG_ONEDNN_OK;
}

/* One argument of a primitive: the caller's plain array (user) and, when oneDNN wants
 * another layout, the plan's buffer in that layout (inner) with the reorder between them. */
typedef struct {
    handle_t user, inner, reorder;
    void *buffer;
    int into_inner;
} slot;

static void slot_release(slot *s)
{
    if (s->reorder)
        dnnl.primitive_destroy(s->reorder);
    if (s->inner)
        dnnl.memory_destroy(s->inner);
    if (s->user)
        dnnl.memory_destroy(s->user);
    free(s->buffer);
    memset(s, 0, sizeof *s);
}

static int slot_make(slot *s, handle_t user_md, handle_t inner_md, int into_inner)
{
    handle_t pd = NULL;
    int status = dnnl.memory_create(&s->user, user_md, dnnl.engine, NULL);
    s->into_inner = into_inner;
    if (status != OK || dnnl.md_equal(user_md, inner_md))
        return status;
    size_t bytes = dnnl.md_size(inner_md);
    s->buffer = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!s->buffer)
        return -1;
    status = dnnl.memory_create(&s->inner, inner_md, dnnl.engine, s->buffer);
    if (status == OK)
        status = into_inner ? dnnl.reorder_pd(&pd, user_md, dnnl.engine, inner_md, dnnl.engine, NULL)
                            : dnnl.reorder_pd(&pd, inner_md, dnnl.engine, user_md, dnnl.engine, NULL);
    if (status == OK)
        status = dnnl.primitive_create(&s->reorder, pd);
    if (pd)
        dnnl.pd_destroy(pd);
    return status;
}

static int run_reorder(slot *s)
{
    exec_arg args[2] = {{ARG_SRC, s->into_inner ? s->user : s->inner},
                        {ARG_DST, s->into_inner ? s->inner : s->user}};
    return dnnl.primitive_execute(s->reorder, dnnl.stream, 2, args);
}

/* Bind the caller's array; an input is reordered into the plan's layout.  The memory the
 * primitive uses is returned in *memory. */
static int slot_bind(slot *s, const void *data, handle_t *memory)
{
    int status = dnnl.memory_set_data_handle(s->user, (void *)data);
    *memory = s->reorder ? s->inner : s->user;
    if (status == OK && s->reorder && s->into_inner)
        status = run_reorder(s);
    return status;
}

/* After the primitive: an output is reordered back into the caller's array. */
static int slot_finish(slot *s)
{
    return s->reorder && !s->into_inner ? run_reorder(s) : OK;
}

enum { FWD_SRC, FWD_WEIGHTS, FWD_DST, BD_DIFF_DST, BD_WEIGHTS, BD_DIFF_SRC, BW_SRC, BW_DIFF_DST, BW_DIFF_WEIGHTS,
       SLOTS };

typedef struct {
    int used;
    fg_onednn_conv_shape shape;
    handle_t forward, backward_data, backward_weights, bias, diff_bias;
    slot slots[SLOTS];
} plan;

#define FG_PLANS 16
static plan plans[FG_PLANS];
static int plan_next;

static void plan_release(plan *p)
{
    for (int i = 0; i < SLOTS; i++)
        slot_release(&p->slots[i]);
    handle_t prims[3] = {p->forward, p->backward_data, p->backward_weights};
    for (int i = 0; i < 3; i++)
        if (prims[i])
            dnnl.primitive_destroy(prims[i]);
    if (p->bias)
        dnnl.memory_destroy(p->bias);
    if (p->diff_bias)
        dnnl.memory_destroy(p->diff_bias);
    memset(p, 0, sizeof *p);
}

/* A plain C-contiguous float32 descriptor of `n` dims. */
static int plain_md(handle_t *md, int n, const int64_t *dims)
{
    dims_t strides = {0};
    strides[n - 1] = 1;
    for (int i = n - 2; i >= 0; i--)
        strides[i] = strides[i + 1] * dims[i + 1];
    return dnnl.md_with_strides(md, n, dims, F32, strides);
}

static int plan_make(plan *p, const fg_onednn_conv_shape *s)
{
    const int64_t g = s->groups;
    dims_t x_dims = {s->batch, s->channels, s->height, s->width};
    dims_t y_dims = {s->batch, s->out_channels, s->out_h, s->out_w};
    dims_t w_dims = {g, s->out_channels / g, s->channels / g, s->kernel_h, s->kernel_w};
    dims_t b_dims = {s->out_channels};
    dims_t strides = {s->stride_h, s->stride_w}, dilates = {s->dilation_h - 1, s->dilation_w - 1};
    dims_t pad_l = {s->pad_top, s->pad_left}, pad_r = {s->pad_bottom, s->pad_right};
    handle_t x_md = NULL, y_md = NULL, w_md = NULL, b_md = NULL, x_any = NULL, y_any = NULL, w_any = NULL;
    handle_t fwd_pd = NULL, bd_pd = NULL, bw_pd = NULL;
    int status = plain_md(&x_md, 4, x_dims);
    /* groups == 1: the 4-d (O, C, KH, KW) weights; else 5-d (G, O / G, C / G, KH, KW), the same memory */
    if (status == OK)
        status = g == 1 ? plain_md(&w_md, 4, w_dims + 1) : plain_md(&w_md, 5, w_dims);
    if (status == OK)
        status = plain_md(&y_md, 4, y_dims);
    if (status == OK && s->has_bias)
        status = plain_md(&b_md, 1, b_dims);
    if (status == OK)
        status = dnnl.md_with_tag(&x_any, 4, x_dims, F32, FORMAT_ANY);
    if (status == OK)
        status = dnnl.md_with_tag(&y_any, 4, y_dims, F32, FORMAT_ANY);
    if (status == OK)
        status = g == 1 ? dnnl.md_with_tag(&w_any, 4, w_dims + 1, F32, FORMAT_ANY)
                        : dnnl.md_with_tag(&w_any, 5, w_dims, F32, FORMAT_ANY);
    if (status == OK)
        status = dnnl.forward_pd(&fwd_pd, dnnl.engine, FORWARD_TRAINING, CONVOLUTION_DIRECT, x_any, w_any, b_md,
                                 y_any, strides, dilates, pad_l, pad_r, NULL);
    if (status == OK)
        status = dnnl.backward_data_pd(&bd_pd, dnnl.engine, CONVOLUTION_DIRECT, x_any, w_any, y_any, strides,
                                       dilates, pad_l, pad_r, fwd_pd, NULL);
    if (status == OK)
        status = dnnl.backward_weights_pd(&bw_pd, dnnl.engine, CONVOLUTION_DIRECT, x_any, w_any, b_md, y_any,
                                          strides, dilates, pad_l, pad_r, fwd_pd, NULL);
    if (status == OK)
        status = dnnl.primitive_create(&p->forward, fwd_pd);
    if (status == OK)
        status = dnnl.primitive_create(&p->backward_data, bd_pd);
    if (status == OK)
        status = dnnl.primitive_create(&p->backward_weights, bw_pd);
    struct { handle_t pd, user; int query, into_inner; } wanted[SLOTS] = {
        {fwd_pd, x_md, QUERY_SRC, 1}, {fwd_pd, w_md, QUERY_WEIGHTS, 1}, {fwd_pd, y_md, QUERY_DST, 0},
        {bd_pd, y_md, QUERY_DIFF_DST, 1}, {bd_pd, w_md, QUERY_WEIGHTS, 1}, {bd_pd, x_md, QUERY_DIFF_SRC, 0},
        {bw_pd, x_md, QUERY_SRC, 1}, {bw_pd, y_md, QUERY_DIFF_DST, 1}, {bw_pd, w_md, QUERY_DIFF_WEIGHTS, 0}};
    for (int i = 0; i < SLOTS && status == OK; i++)
        status = slot_make(&p->slots[i], wanted[i].user, dnnl.query_md(wanted[i].pd, wanted[i].query, 0),
                           wanted[i].into_inner);
    if (status == OK && s->has_bias)
        status = dnnl.memory_create(&p->bias, b_md, dnnl.engine, NULL);
    if (status == OK && s->has_bias)
        status = dnnl.memory_create(&p->diff_bias, b_md, dnnl.engine, NULL);
    handle_t pds[3] = {fwd_pd, bd_pd, bw_pd}, mds[7] = {x_md, y_md, w_md, b_md, x_any, y_any, w_any};
    for (int i = 0; i < 3; i++)
        if (pds[i])
            dnnl.pd_destroy(pds[i]);
    for (int i = 0; i < 7; i++)
        if (mds[i])
            dnnl.md_destroy(mds[i]);
    if (status != OK) {
        plan_release(p);
        return status;
    }
    p->shape = *s;
    p->used = 1;
    return OK;
}

static plan *find_or_make(const fg_onednn_conv_shape *s, char *message, int64_t message_len)
{
    for (int i = 0; i < FG_PLANS; i++)
        if (plans[i].used && memcmp(&plans[i].shape, s, sizeof *s) == 0)
            return &plans[i];
    plan *p = &plans[plan_next];
    plan_next = (plan_next + 1) % FG_PLANS;
    plan_release(p);
    int status = plan_make(p, s);
    if (status != OK) {
        snprintf(message, (size_t)message_len, "oneDNN refused the convolution of input (%lld, %lld, %lld, %lld) "
                 "with %lld outputs (dnnl status %d)", (long long)s->batch, (long long)s->channels,
                 (long long)s->height, (long long)s->width, (long long)s->out_channels, status);
        return NULL;
    }
    return p;
}

/* Run one pass (0 forward, 1 backward data, 2 backward weights) with its three slots and, for
 * passes 0 and 2, the bias or its gradient when given. */
static int run_pass(const fg_onednn_conv_shape *s, int pass, const void *in0, const void *in1, void *out,
                    void *bias, char *message, int64_t message_len)
{
    static const int first_slot[3] = {FWD_SRC, BD_DIFF_DST, BW_SRC};
    static const int arg_names[3][4] = {{ARG_SRC, ARG_WEIGHTS, ARG_DST, ARG_BIAS},
                                        {ARG_DIFF_DST, ARG_WEIGHTS, ARG_DIFF_SRC, 0},
                                        {ARG_SRC, ARG_DIFF_DST, ARG_DIFF_WEIGHTS, ARG_DIFF_BIAS}};
    pthread_mutex_lock(&lock);
    int status = prepare(message, message_len);
    if (status != FG_ONEDNN_OK) {
        pthread_mutex_unlock(&lock);
        return status;
    }
    plan *p = find_or_make(s, message, message_len);
    if (!p) {
        pthread_mutex_unlock(&lock);
        return FG_ONEDNN_FAILED;
    }
    slot *slots = &p->slots[first_slot[pass]];
    handle_t primitive = pass == 0 ? p->forward : pass == 1 ? p->backward_data : p->backward_weights;
    handle_t bias_memory = pass == 0 ? p->bias : p->diff_bias;
    exec_arg args[4];
    int nargs = 3;
    status = slot_bind(&slots[0], in0, &args[0].memory);
    if (status == OK)
        status = slot_bind(&slots[1], in1, &args[1].memory);
    if (status == OK)
        status = slot_bind(&slots[2], out, &args[2].memory);
    for (int i = 0; i < 3; i++)
        args[i].arg = arg_names[pass][i];
    if (status == OK && bias && bias_memory) {
        status = dnnl.memory_set_data_handle(bias_memory, bias);
        args[3].arg = arg_names[pass][3];
        args[3].memory = bias_memory;
        nargs = 4;
    }
    if (status == OK)
        status = dnnl.primitive_execute(primitive, dnnl.stream, nargs, args);
    if (status == OK)
        status = slot_finish(&slots[2]);
    if (status == OK)
        status = dnnl.stream_wait(dnnl.stream);
    pthread_mutex_unlock(&lock);
    if (status != OK) {
        snprintf(message, (size_t)message_len, "oneDNN's convolution failed (dnnl status %d)", status);
        return FG_ONEDNN_FAILED;
    }
    return FG_ONEDNN_OK;
}

int fg_onednn_conv_forward(const fg_onednn_conv_shape *s, const float *x, const float *w, const float *bias,
                           float *y, char *message, int64_t message_len)
{
    return run_pass(s, 0, x, w, y, (void *)bias, message, message_len);
}

int fg_onednn_conv_backward_data(const fg_onednn_conv_shape *s, const float *gy, const float *w, float *gx,
                                 char *message, int64_t message_len)
{
    return run_pass(s, 1, gy, w, gx, NULL, message, message_len);
}

int fg_onednn_conv_backward_weights(const fg_onednn_conv_shape *s, const float *x, const float *gy, float *gw,
                                    float *gbias, char *message, int64_t message_len)
{
    return run_pass(s, 2, x, gy, gw, gbias, message, message_len);
}
#else
static int absent(char *message, int64_t message_len)
{
    snprintf(message, (size_t)message_len, "loading oneDNN at run time needs dlopen, absent on this platform");
    return FG_ONEDNN_NOT_LOADED;
}

int fg_onednn_conv_forward(const fg_onednn_conv_shape *s, const float *x, const float *w, const float *bias,
                           float *y, char *message, int64_t message_len)
{
    (void)s; (void)x; (void)w; (void)bias; (void)y;
    return absent(message, message_len);
}

int fg_onednn_conv_backward_data(const fg_onednn_conv_shape *s, const float *gy, const float *w, float *gx,
                                 char *message, int64_t message_len)
{
    (void)s; (void)gy; (void)w; (void)gx;
    return absent(message, message_len);
}

int fg_onednn_conv_backward_weights(const fg_onednn_conv_shape *s, const float *x, const float *gy, float *gw,
                                    float *gbias, char *message, int64_t message_len)
{
    (void)s; (void)x; (void)gy; (void)gw; (void)gbias;
    return absent(message, message_len);
}
#endif
