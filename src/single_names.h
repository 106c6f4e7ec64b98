/* single_names.h: the external symbols of the single-precision build
 * (included by real.h when NNFS_SINGLE is defined; see there). A symbol
 * missing here is defined twice and the link fails, so nothing can be
 * mixed up silently. */
#ifndef NNFS_SINGLE_NAMES_H
#define NNFS_SINGLE_NAMES_H

/* gemm.c and its kernels */
#define gemm gemm_f
#define gemm_naive gemm_naive_f
#define gemm_isa_avx512 gemm_isa_avx512_f
#define gemm_isa_avx2 gemm_isa_avx2_f
#define gemm_isa_portable gemm_isa_portable_f

/* the layer table and the layer kinds (layers.c, layer_*.c) */
#define layer_kinds layer_kinds_f
#define layer_kind_find layer_kind_find_f
#define kind_dense kind_dense_f
#define kind_conv2d kind_conv2d_f
#define kind_maxpool2d kind_maxpool2d_f
#define kind_dropout kind_dropout_f
#define kind_flatten kind_flatten_f
#define kind_avgpool2d kind_avgpool2d_f
#define kind_batchnorm kind_batchnorm_f
#define conv2d_work_reals conv2d_work_reals_f
#define conv2d_forward conv2d_forward_f
#define conv2d_forward_naive conv2d_forward_naive_f
#define conv2d_backward conv2d_backward_f
#define maxpool2d_forward maxpool2d_forward_f
#define maxpool2d_backward maxpool2d_backward_f
#define geom_check geom_check_f

/* activation.c, loss.c, optim.c */
#define act_names act_names_f
#define act_forward act_forward_f
#define act_backward act_backward_f
#define cost_names cost_names_f
#define loss_forward loss_forward_f
#define loss_delta loss_delta_f
#define loss_correct loss_correct_f
#define opt_names opt_names_f
#define opt_slot_names opt_slot_names_f
#define optim_slots optim_slots_f
#define optim_begin optim_begin_f
#define optim_step optim_step_f
#define optim_grad_only optim_grad_only_f

/* net.c, train.c */
#define layer_init_tensors layer_init_tensors_f
#define net_tensor_sizes net_tensor_sizes_f
#define net_bind_tensors net_bind_tensors_f
#define net_buffer_sizes net_buffer_sizes_f
#define net_bind_buffers net_bind_buffers_f
#define net_forward net_forward_f
#define net_backward net_backward_f
#define net_output net_output_f
#define net_last net_last_f
#define samples_block samples_block_f
#define train_run train_run_f
#define net_evaluate net_evaluate_f
#define net_predict net_predict_f

/* glue_train.c: the .Call entries of the single build */
#define C_train C_train_f
#define C_predict C_predict_f
#define C_backprop C_backprop_f
#define C_trace C_trace_f

#endif
