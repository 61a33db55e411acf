/* float32 convolutions through oneDNN, loaded at run time (fg_onednn.h, onednn.c).
 *
 * The arrays stay in fastgrad's plain layouts: x (N, C, H, W), weights
 * (O, C / groups, KH, KW), y (N, O, OH, OW), all C-contiguous.  oneDNN picks
 * its own (blocked) layouts for the forward, backward-data and
 * backward-weights primitives; each argument whose layout differs is
 * reordered into, or out of, a buffer that the plan keeps.  A plan (the three
 * primitives, their reorders and buffers) is made once per geometry and kept
 * in a small cache.  With shape->relu the forward primitive applies relu to
 * its output as a post-op (oneDNN's eltwise_relu), in the same pass.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fastgrad.h"
#include "fg_onednn.h"

#ifdef FG_HAVE_DLOPEN
enum { OK = DNNL_SUCCESS };

/* One argument of a primitive: the caller's plain array (user) and, when oneDNN wants
 * another layout, the plan's buffer in that layout (inner) with the reorder between them. */
typedef struct {
    dnnl_handle user, inner, reorder;
    void *buffer;
    int into_inner;
} slot;

static void slot_release(slot *s)
{
    const dnnl_handle memories[2] = {s->inner, s->user};
    fg_onednn_destroy_all(fg_dnnl.primitive_destroy, &s->reorder, 1);
    fg_onednn_destroy_all(fg_dnnl.memory_destroy, memories, 2);
    free(s->buffer);
    memset(s, 0, sizeof *s);
}

static int slot_make(slot *s, dnnl_handle user_md, dnnl_handle inner_md, int into_inner)
{
    dnnl_handle pd = NULL;
    int status = fg_dnnl.memory_create(&s->user, user_md, fg_dnnl.engine, NULL);
    s->into_inner = into_inner;
    if (status != OK || fg_dnnl.md_equal(user_md, inner_md))
        return status;
    size_t bytes = fg_dnnl.md_size(inner_md);
    s->buffer = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!s->buffer)
        return -1;
    status = fg_dnnl.memory_create(&s->inner, inner_md, fg_dnnl.engine, s->buffer);
    if (status == OK)
        status = into_inner ? fg_dnnl.reorder_pd(&pd, user_md, fg_dnnl.engine, inner_md, fg_dnnl.engine, NULL)
                            : fg_dnnl.reorder_pd(&pd, inner_md, fg_dnnl.engine, user_md, fg_dnnl.engine, NULL);
    if (status == OK)
        status = fg_dnnl.primitive_create(&s->reorder, pd);
    if (pd)
        fg_dnnl.pd_destroy(pd);
    return status;
}

static int run_reorder(slot *s)
{
    dnnl_exec_arg args[2] = {{DNNL_ARG_SRC, s->into_inner ? s->user : s->inner},
                        {DNNL_ARG_DST, s->into_inner ? s->inner : s->user}};
    return fg_dnnl.primitive_execute(s->reorder, fg_dnnl.stream, 2, args);
}

/* Bind the caller's array; an input is reordered into the plan's layout.  The memory the
 * primitive uses is returned in *memory. */
static int slot_bind(slot *s, const void *data, dnnl_handle *memory)
{
    int status = fg_dnnl.memory_set_data_handle(s->user, (void *)data);
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
    dnnl_handle forward, backward_data, backward_weights, bias, diff_bias;
    slot slots[SLOTS];
} plan;

#define FG_PLANS 16
static plan plans[FG_PLANS];
static int plan_next;

static void plan_release(void *entry)
{
    plan *p = entry;
    for (int i = 0; i < SLOTS; i++)
        slot_release(&p->slots[i]);
    const dnnl_handle primitives[3] = {p->forward, p->backward_data, p->backward_weights};
    const dnnl_handle memories[2] = {p->bias, p->diff_bias};
    fg_onednn_destroy_all(fg_dnnl.primitive_destroy, primitives, 3);
    fg_onednn_destroy_all(fg_dnnl.memory_destroy, memories, 2);
    memset(p, 0, sizeof *p);
}

/* A plain C-contiguous float32 descriptor of `n` dims. */
static int plain_md(dnnl_handle *md, int n, const int64_t *dims)
{
    dnnl_dims strides = {0};
    strides[n - 1] = 1;
    for (int i = n - 2; i >= 0; i--)
        strides[i] = strides[i + 1] * dims[i + 1];
    return fg_dnnl.md_with_strides(md, n, dims, DNNL_F32, strides);
}

/* With relu: primitive attributes whose one post-op is relu on the output (alpha 0: max(y, 0));
 * else none (*attr stays NULL). */
static int relu_attr(dnnl_handle *attr, int64_t relu)
{
    dnnl_handle post_ops = NULL;
    if (!relu)
        return OK;
    int status = fg_dnnl.post_ops_create(&post_ops);
    if (status == OK)
        status = fg_dnnl.post_ops_append_eltwise(post_ops, DNNL_ELTWISE_RELU, 0.0f, 0.0f);
    if (status == OK)
        status = fg_dnnl.attr_create(attr);
    if (status == OK)
        status = fg_dnnl.attr_set_post_ops(*attr, post_ops);
    fg_onednn_destroy_all(fg_dnnl.post_ops_destroy, &post_ops, 1);
    return status;
}

static int plan_make(plan *p, const fg_onednn_conv_shape *s)
{
    const int64_t g = s->groups;
    dnnl_dims x_dims = {s->batch, s->channels, s->height, s->width};
    dnnl_dims y_dims = {s->batch, s->out_channels, s->out_h, s->out_w};
    dnnl_dims w_dims = {g, s->out_channels / g, s->channels / g, s->kernel_h, s->kernel_w};
    dnnl_dims b_dims = {s->out_channels};
    dnnl_dims strides = {s->stride_h, s->stride_w}, dilates = {s->dilation_h - 1, s->dilation_w - 1};
    dnnl_dims pad_l = {s->pad_top, s->pad_left}, pad_r = {s->pad_bottom, s->pad_right};
    dnnl_handle x_md = NULL, y_md = NULL, w_md = NULL, b_md = NULL, x_any = NULL, y_any = NULL, w_any = NULL;
    dnnl_handle fwd_pd = NULL, bd_pd = NULL, bw_pd = NULL, attr = NULL;
    int status = plain_md(&x_md, 4, x_dims);
    /* groups == 1: the 4-d (O, C, KH, KW) weights; else 5-d (G, O / G, C / G, KH, KW), the same memory */
    if (status == OK)
        status = g == 1 ? plain_md(&w_md, 4, w_dims + 1) : plain_md(&w_md, 5, w_dims);
    if (status == OK)
        status = plain_md(&y_md, 4, y_dims);
    if (status == OK && s->has_bias)
        status = plain_md(&b_md, 1, b_dims);
    if (status == OK)
        status = fg_dnnl.md_with_tag(&x_any, 4, x_dims, DNNL_F32, DNNL_FORMAT_ANY);
    if (status == OK)
        status = fg_dnnl.md_with_tag(&y_any, 4, y_dims, DNNL_F32, DNNL_FORMAT_ANY);
    if (status == OK)
        status = g == 1 ? fg_dnnl.md_with_tag(&w_any, 4, w_dims + 1, DNNL_F32, DNNL_FORMAT_ANY)
                        : fg_dnnl.md_with_tag(&w_any, 5, w_dims, DNNL_F32, DNNL_FORMAT_ANY);
    if (status == OK)
        status = relu_attr(&attr, s->relu);
    if (status == OK)
        status = fg_dnnl.conv_forward_pd(&fwd_pd, fg_dnnl.engine, DNNL_FORWARD_TRAINING, DNNL_CONVOLUTION_DIRECT,
                                         x_any, w_any, b_md, y_any, strides, dilates, pad_l, pad_r, attr);
    if (status == OK)
        status = fg_dnnl.conv_backward_data_pd(&bd_pd, fg_dnnl.engine, DNNL_CONVOLUTION_DIRECT, x_any, w_any, y_any,
                                               strides, dilates, pad_l, pad_r, fwd_pd, NULL);
    if (status == OK)
        status = fg_dnnl.conv_backward_weights_pd(&bw_pd, fg_dnnl.engine, DNNL_CONVOLUTION_DIRECT, x_any, w_any, b_md,
                                                  y_any, strides, dilates, pad_l, pad_r, fwd_pd, NULL);
    if (status == OK)
        status = fg_dnnl.primitive_create(&p->forward, fwd_pd);
    if (status == OK)
        status = fg_dnnl.primitive_create(&p->backward_data, bd_pd);
    if (status == OK)
        status = fg_dnnl.primitive_create(&p->backward_weights, bw_pd);
    struct { dnnl_handle pd, user; int query, into_inner; } wanted[SLOTS] = {
        {fwd_pd, x_md, DNNL_QUERY_SRC, 1}, {fwd_pd, w_md, DNNL_QUERY_WEIGHTS, 1}, {fwd_pd, y_md, DNNL_QUERY_DST, 0},
        {bd_pd, y_md, DNNL_QUERY_DIFF_DST, 1}, {bd_pd, w_md, DNNL_QUERY_WEIGHTS, 1}, {bd_pd, x_md, DNNL_QUERY_DIFF_SRC, 0},
        {bw_pd, x_md, DNNL_QUERY_SRC, 1}, {bw_pd, y_md, DNNL_QUERY_DIFF_DST, 1}, {bw_pd, w_md, DNNL_QUERY_DIFF_WEIGHTS, 0}};
    for (int i = 0; i < SLOTS && status == OK; i++)
        status = slot_make(&p->slots[i], wanted[i].user, fg_dnnl.pd_query_md(wanted[i].pd, wanted[i].query, 0),
                           wanted[i].into_inner);
    if (status == OK && s->has_bias)
        status = fg_dnnl.memory_create(&p->bias, b_md, fg_dnnl.engine, NULL);
    if (status == OK && s->has_bias)
        status = fg_dnnl.memory_create(&p->diff_bias, b_md, fg_dnnl.engine, NULL);
    const dnnl_handle pds[3] = {fwd_pd, bd_pd, bw_pd}, mds[7] = {x_md, y_md, w_md, b_md, x_any, y_any, w_any};
    fg_onednn_destroy_all(fg_dnnl.attr_destroy, &attr, 1);
    fg_onednn_destroy_all(fg_dnnl.pd_destroy, pds, 3);
    fg_onednn_destroy_all(fg_dnnl.md_destroy, mds, 7);
    if (status != OK) {
        plan_release(p);
        return status;
    }
    p->shape = *s;
    p->used = 1;
    return OK;
}

/* Run one pass (0 forward, 1 backward data, 2 backward weights) with its three slots and, for
 * passes 0 and 2, the bias or its gradient when given. */
static int run_pass(const fg_onednn_conv_shape *s, int pass, const void *in0, const void *in1, void *out,
                    void *bias, char *message, int64_t message_len)
{
    static const int first_slot[3] = {FWD_SRC, BD_DIFF_DST, BW_SRC};
    static const int arg_names[3][4] = {{DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST, DNNL_ARG_BIAS},
                                        {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC, 0},
                                        {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS}};
    int found, status = fg_onednn_lock(message, message_len);
    if (status != FG_ONEDNN_OK)
        return status;
    plan *p = fg_onednn_cache_entry(plans, FG_PLANS, sizeof plans[0], offsetof(plan, shape), s, sizeof *s,
                                    &plan_next, plan_release, &found);
    status = found ? OK : plan_make(p, s);
    if (status != OK) {
        fg_onednn_unlock(OK, "convolution", message, message_len);
        snprintf(message, (size_t)message_len, "oneDNN refused the convolution of input (%lld, %lld, %lld, %lld) "
                 "with %lld outputs (dnnl status %d)", (long long)s->batch, (long long)s->channels,
                 (long long)s->height, (long long)s->width, (long long)s->out_channels, status);
        return FG_ONEDNN_FAILED;
    }
    slot *slots = &p->slots[first_slot[pass]];
    dnnl_handle primitive = pass == 0 ? p->forward : pass == 1 ? p->backward_data : p->backward_weights;
    dnnl_handle bias_memory = pass == 0 ? p->bias : p->diff_bias;
    dnnl_exec_arg args[4];
    int nargs = 3;
    status = slot_bind(&slots[0], in0, &args[0].memory);
    if (status == OK)
        status = slot_bind(&slots[1], in1, &args[1].memory);
    if (status == OK)
        status = slot_bind(&slots[2], out, &args[2].memory);
    for (int i = 0; i < 3; i++)
        args[i].arg = arg_names[pass][i];
    if (status == OK && bias && bias_memory) {
        status = fg_dnnl.memory_set_data_handle(bias_memory, bias);
        args[3].arg = arg_names[pass][3];
        args[3].memory = bias_memory;
        nargs = 4;
    }
    if (status == OK)
        status = fg_dnnl.primitive_execute(primitive, fg_dnnl.stream, nargs, args);
    if (status == OK)
        status = slot_finish(&slots[2]);
    return fg_onednn_unlock(status, "convolution", message, message_len);
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
int fg_onednn_conv_forward(const fg_onednn_conv_shape *s, const float *x, const float *w, const float *bias,
                           float *y, char *message, int64_t message_len)
{
    (void)s; (void)x; (void)w; (void)bias; (void)y;
    return fg_onednn_lock(message, message_len);
}

int fg_onednn_conv_backward_data(const fg_onednn_conv_shape *s, const float *gy, const float *w, float *gx,
                                 char *message, int64_t message_len)
{
    (void)s; (void)gy; (void)w; (void)gx;
    return fg_onednn_lock(message, message_len);
}

int fg_onednn_conv_backward_weights(const fg_onednn_conv_shape *s, const float *x, const float *gy, float *gw,
                                    float *gbias, char *message, int64_t message_len)
{
    (void)s; (void)x; (void)gy; (void)gw; (void)gbias;
    return fg_onednn_lock(message, message_len);
}
#endif
