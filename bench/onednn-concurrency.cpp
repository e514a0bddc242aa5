// Two questions about the 2-thread training step, asked of oneDNN alone (no tfjs, no JS):
//  1. Does a convolution's backward pair (input gradient, then filter gradient) run twice as fast
//     on 2 threads as on 1? (intra-op: each primitive split over both threads, what nn/native does)
//  2. Would running the two on one thread each, at the same time, do better? (inter-op: the only
//     other way 2 cores could share a training step's work)
// ResNet-20's three conv shapes at batch 128, NHWC data, weights in oneDNN's layout, cycling over K
// sets of buffers (K = 8: 320 MB, nothing stays in cache between calls, as inside a training step).
// It also tells whether the machine is quiet: on a shared VM its 2-thread figure moves with the
// neighbours' load, which is what sets bench/train.ts --scaling's ResNet-20 speed-up.
//
// Not part of the build (C++, oneDNN's headers from Debian's libdnnl-dev); run by hand:
//   g++ -O2 -fopenmp bench/onednn-concurrency.cpp -o /tmp/onednn-concurrency -ldnnl
//   OMP_WAIT_POLICY=PASSIVE /tmp/onednn-concurrency [K=8]
//
// Measured 2026-12-06 05:54 on the 2-core dev VM (ms per backward pair, median of 40, two runs):
//   16ch@32: 1 thread 6.21–6.56, 2 threads 3.15–3.31 (1.97–1.98×), 1+1 concurrent 3.41–3.44 (1.82–1.91×)
//   32ch@16: 6.28–6.39, 3.19–3.40 (1.88–1.97×), 3.70–3.75 (1.70–1.71×)
//   64ch@8:  5.81–6.20, 3.20–3.28 (1.82–1.89×), 4.77–5.09 (1.22×)
// Seven runs in all (05:54–06:50), the three shapes together: 2 threads 9.8–11.6 ms, 1+1 concurrent
// 10.2–13.0 ms; side by side took 13–25 % longer in six runs and 3 % less in one. Per shape, side by
// side is on a par at 16ch@32 (1.82–2.08× against 1.92–2.03×) and loses at 64ch@8 (1.22–1.32× in
// six runs, 1.91× in that one, against 1.82–2.02×). So inter-op concurrency is no lever here.
// On a quiet host these kernels scale almost 2×; inside a training step (ONEDNN_VERBOSE, same code)
// ResNet-20's convolutions scaled 1.54–1.60× in one period and 1.86–1.99× fifteen minutes later.
#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

static double nowMs() { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

struct Pair {
  convolution_backward_data::primitive_desc dataPd;
  convolution_backward_weights::primitive_desc weightsPd;
  convolution_backward_data data;
  convolution_backward_weights weights;
};

// oneDNN plans a primitive's work split for the OpenMP thread count in force when it is created.
static Pair makePair(engine& eng, int threads, int C, int H) {
  omp_set_num_threads(threads);
  memory::dims x{128, C, H, H}, w{C, C, 3, 3}, s{1, 1}, p{1, 1};
  auto xmd = memory::desc(x, dt::f32, tag::nhwc);
  auto wmd = memory::desc(w, dt::f32, tag::any);
  auto fwd = convolution_forward::primitive_desc(
      convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, xmd, wmd, xmd, s, p, p), eng);
  auto dpd = convolution_backward_data::primitive_desc(convolution_backward_data::desc(algorithm::convolution_direct, xmd, wmd, xmd, s, p, p), eng, fwd);
  auto wpd = convolution_backward_weights::primitive_desc(convolution_backward_weights::desc(algorithm::convolution_direct, xmd, wmd, xmd, s, p, p), eng, fwd);
  return Pair{dpd, wpd, convolution_backward_data(dpd), convolution_backward_weights(wpd)};
}

int main(int argc, char** argv) {
  const int K = argc > 1 ? std::atoi(argv[1]) : 8;
  engine eng(engine::kind::cpu, 0);
  stream main(eng), side(eng);
  for (auto [C, H] : std::vector<std::pair<int, int>>{{16, 32}, {32, 16}, {64, 8}}) {
    Pair one = makePair(eng, 1, C, H), two = makePair(eng, 2, C, H);
    std::vector<memory> x, dy, dx, w, dw;
    for (int k = 0; k < K; k++) {
      x.emplace_back(one.weightsPd.src_desc(), eng);
      dy.emplace_back(one.dataPd.diff_dst_desc(), eng);
      dx.emplace_back(one.dataPd.diff_src_desc(), eng);
      w.emplace_back(one.dataPd.weights_desc(), eng);
      dw.emplace_back(one.weightsPd.diff_weights_desc(), eng);
      for (memory* m : {&x[k], &dy[k], &dx[k], &w[k], &dw[k]}) {
        float* f = static_cast<float*>(m->get_data_handle());
        const size_t n = m->get_desc().get_size() / sizeof(float);
        for (size_t i = 0; i < n; i++) f[i] = static_cast<float>(i % 97) * 0.01f;
      }
    }
    auto data = [&](Pair& p, stream& s, int k) { p.data.execute(s, {{DNNL_ARG_DIFF_DST, dy[k]}, {DNNL_ARG_WEIGHTS, w[k]}, {DNNL_ARG_DIFF_SRC, dx[k]}}); s.wait(); };
    auto weights = [&](Pair& p, stream& s, int k) { p.weights.execute(s, {{DNNL_ARG_SRC, x[k]}, {DNNL_ARG_DIFF_DST, dy[k]}, {DNNL_ARG_DIFF_WEIGHTS, dw[k]}}); s.wait(); };
    auto medianMs = [&](const std::function<void(int)>& f) {
      std::vector<double> t;
      for (int r = 0; r < 40; r++) {
        const double t0 = nowMs();
        f(r % K);
        t.push_back(nowMs() - t0);
      }
      std::sort(t.begin(), t.end());
      return t[t.size() / 2];
    };
    const double t1 = medianMs([&](int k) { omp_set_num_threads(1); data(one, main, k); weights(one, main, k); });
    const double t2 = medianMs([&](int k) { omp_set_num_threads(2); data(two, main, k); weights(two, main, k); });
    // a second thread that runs the filter gradient on one OpenMP thread of its own (started only
    // now: its polling would take the core from the 2-thread runs above)
    std::atomic<int> job{-1};
    std::atomic<bool> quit{false};
    std::thread worker([&] {
      omp_set_num_threads(1);
      while (!quit) {
        const int k = job.load();
        if (k < 0) {
          std::this_thread::yield();
          continue;
        }
        weights(one, side, k);
        job = -1;
      }
    });
    const double tc = medianMs([&](int k) {
      omp_set_num_threads(1);
      job = k;
      data(one, main, k);
      while (job.load() >= 0) {
      }
    });
    quit = true;
    worker.join();
    std::printf("%2dch@%-2d (%s / %s): 1 thread %.2f ms, 2 threads %.2f ms (%.2fx), 1+1 concurrent %.2f ms (%.2fx)\n", C, H,
                one.dataPd.impl_info_str(), one.weightsPd.impl_info_str(), t1, t2, t1 / t2, tc, t1 / tc);
  }
  return 0;
}
