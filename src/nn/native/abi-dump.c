/*
 * Prints the oneDNN 2.x struct sizes and enum values that ./dnnl.ts hard-codes (koffi needs them and
 * the C headers are not available at run time). Run by hand after a oneDNN upgrade:
 *   gcc src/nn/native/abi-dump.c -o /tmp/abi -ldnnl && /tmp/abi
 */
#include <stdio.h>
#include <stddef.h>
#include <oneapi/dnnl/dnnl.h>
#define P(x) printf("%s %ld\n", #x, (long)(x));
int main(){
P(sizeof(dnnl_memory_desc_t)) P(sizeof(dnnl_convolution_desc_t)) P(sizeof(dnnl_matmul_desc_t)) P(sizeof(dnnl_exec_arg_t)) P(sizeof(dnnl_batch_normalization_desc_t)) P(sizeof(dnnl_eltwise_desc_t)) P(sizeof(dnnl_binary_desc_t))
P(dnnl_f32) P(dnnl_nhwc) P(dnnl_hwio) P(dnnl_hwigo) P(dnnl_format_tag_any) P(dnnl_a) P(dnnl_ab) P(dnnl_ba) P(dnnl_abc) P(dnnl_acb) P(dnnl_nwc) P(dnnl_ndhwc) P(dnnl_nChw16c) P(dnnl_nCdhw16c) P(dnnl_nChw8c) P(dnnl_nCdhw8c)
P(dnnl_forward_training) P(dnnl_forward_inference) P(dnnl_backward_data) P(dnnl_backward_weights) P(dnnl_backward)
P(dnnl_use_scale) P(dnnl_use_shift) P(DNNL_ARG_MEAN) P(DNNL_ARG_VARIANCE) P(DNNL_ARG_SCALE) P(DNNL_ARG_SHIFT) P(DNNL_ARG_DIFF_SCALE) P(DNNL_ARG_DIFF_SHIFT)
P(dnnl_eltwise_relu) P(dnnl_eltwise_clip) P(dnnl_binary_add) P(dnnl_binary_mul) P(dnnl_binary_ge) P(dnnl_pooling_max) P(sizeof(dnnl_pooling_v2_desc_t)) P(DNNL_ARG_SRC_1) P(dnnl_convolution_direct) P(dnnl_convolution_auto) P(dnnl_cpu)
P(DNNL_ARG_SRC) P(DNNL_ARG_DST) P(DNNL_ARG_WEIGHTS) P(DNNL_ARG_DIFF_SRC) P(DNNL_ARG_DIFF_DST) P(DNNL_ARG_DIFF_WEIGHTS) P(DNNL_ARG_SCRATCHPAD) P(DNNL_ARG_FROM) P(DNNL_ARG_TO)
P(dnnl_query_src_md) P(dnnl_query_weights_md) P(dnnl_query_diff_weights_md) P(dnnl_query_scratchpad_md) P(dnnl_query_exec_arg_md) P(dnnl_query_diff_src_md) P(dnnl_query_dst_md) P(dnnl_query_diff_dst_md) P(dnnl_query_impl_info_str)
P(dnnl_scratchpad_mode_user) P(dnnl_stream_default_flags)
const dnnl_version_t *v = dnnl_version(); printf("version %d.%d.%d cpu_runtime %u\n", v->major, v->minor, v->patch, v->cpu_runtime);
P(DNNL_RUNTIME_OMP) P(DNNL_RUNTIME_TBB) P(DNNL_RUNTIME_THREADPOOL)
P(dnnl_cpu_isa_all) P(dnnl_cpu_isa_sse41) P(dnnl_cpu_isa_avx) P(dnnl_cpu_isa_avx2) P(dnnl_cpu_isa_avx512_mic) P(dnnl_cpu_isa_avx512_mic_4ops) P(dnnl_cpu_isa_avx512_core) P(dnnl_cpu_isa_avx512_core_vnni) P(dnnl_cpu_isa_avx512_core_bf16) P(dnnl_cpu_isa_avx512_core_amx) P(dnnl_cpu_isa_avx2_vnni)
printf("effective isa 0x%x\n", (unsigned)dnnl_get_effective_cpu_isa());
}
