// ONNX Runtime C API adapter. Compiled only with -DONNXRUNTIME_DIR; the C API (not the C++
// wrapper) keeps the one thing that differs between library versions explicit: the OrtApi
// table is requested at EDGEOCR_ORT_API_VERSION, so the headers (API 29) can be newer than
// the library (1.23.2 on ARM Linux) as long as only functions of that version are called.
// Every function used here exists since API 1. The library (EDGEOCR_ORT_LIBRARY) is loaded
// at first use, not linked (onnxruntime/CMakeLists.txt says why).
#include "ort_inference.h"

#include <dlfcn.h>

#include <map>
#include <vector>

#include "edgeocr/error.h"
#include "onnxruntime_c_api.h"

static_assert(EDGEOCR_ORT_API_VERSION <= ORT_API_VERSION,
              "ONNXRUNTIME_API_VERSION is newer than the ONNX Runtime headers in ONNXRUNTIME_DIR/include");

namespace edgeocr {

namespace {
// OrtGetApiBase() of the library, loaded from LD_LIBRARY_PATH (or the app's library folder).
const OrtApiBase& api_base() {
  static const OrtApiBase* const base = [] {
    void* library = dlopen(EDGEOCR_ORT_LIBRARY, RTLD_NOW | RTLD_LOCAL);  // kept for the process's lifetime
    if (!library)
      throw Error(codes::kMissingDependency, std::string(EDGEOCR_ORT_LIBRARY) + ": cannot load ONNX Runtime (" + dlerror() +
                                                 "); the runner finds it on LD_LIBRARY_PATH (deploy pushes it to lib/)");
    using GetApiBase = const OrtApiBase* (*)();
    const auto get = reinterpret_cast<GetApiBase>(dlsym(library, "OrtGetApiBase"));
    if (!get)
      throw Error(codes::kMissingDependency, std::string(EDGEOCR_ORT_LIBRARY) + " has no OrtGetApiBase: not an ONNX Runtime library");
    return get();
  }();
  return *base;
}

// The C API table at the version the runner was built for; a library older than that has
// no such table (GetApi returns null), and is refused with its own version.
const OrtApi& ort_api() {
  static const OrtApi* const api = [] {
    const OrtApiBase* base = &api_base();
    const OrtApi* found = base->GetApi(EDGEOCR_ORT_API_VERSION);
    if (!found) {
      const std::string wanted = "1." + std::to_string(EDGEOCR_ORT_API_VERSION);
      throw Error(codes::kRuntime, std::string(EDGEOCR_ORT_LIBRARY) + " is ONNX Runtime " + base->GetVersionString() + ", older than " +
                                       wanted + " (C API version " + std::to_string(EDGEOCR_ORT_API_VERSION) +
                                       "), which this runner was built for; use ONNX Runtime " + wanted +
                                       " or newer, or build the runner against this library");
    }
    return found;
  }();
  return *api;
}

// Owning pointers that hand ORT objects back with their Release function.
template <typename T>
struct Releaser;
#define EDGEOCR_ORT_RELEASER(T) \
  template <>                   \
  struct Releaser<Ort##T> {     \
    void operator()(Ort##T* p) const { ort_api().Release##T(p); } \
  };
EDGEOCR_ORT_RELEASER(Env)
EDGEOCR_ORT_RELEASER(SessionOptions)
EDGEOCR_ORT_RELEASER(Session)
EDGEOCR_ORT_RELEASER(MemoryInfo)
EDGEOCR_ORT_RELEASER(Value)
EDGEOCR_ORT_RELEASER(TypeInfo)
EDGEOCR_ORT_RELEASER(TensorTypeAndShapeInfo)
#undef EDGEOCR_ORT_RELEASER
template <typename T>
using Owned = std::unique_ptr<T, Releaser<T>>;

// Throws Error(code) "<what> (<ORT's message>)" for a failed call.
void check(OrtStatus* status, const char* code, const std::string& what) {
  if (!status) return;
  const std::string message = ort_api().GetErrorMessage(status);
  ort_api().ReleaseStatus(status);
  throw Error(code, what + " (" + message + ")");
}

// A model's session and the names of the input it feeds and the output it reads.
struct ModelSession {
  std::string path;
  Owned<OrtSession> session;
  std::string input, output;
};

std::string io_name(decltype(OrtApi::SessionGetInputName) get, const OrtSession* session, const std::string& path) {
  OrtAllocator* allocator = nullptr;
  check(ort_api().GetAllocatorWithDefaultOptions(&allocator), codes::kInternal, "ONNX Runtime has no default allocator");
  char* raw = nullptr;
  check(get(session, 0, allocator, &raw), codes::kModel, path + ": cannot read the model's input/output names");
  const std::string name(raw);
  check(ort_api().AllocatorFree(allocator, raw), codes::kInternal, "ONNX Runtime cannot free a name");
  return name;
}

// Whether input/output 0 (per `get`) is a float32 tensor: the Inference interface exchanges float32 only.
bool is_float_tensor(decltype(OrtApi::SessionGetInputTypeInfo) get, const OrtSession* session, const std::string& path) {
  OrtTypeInfo* raw = nullptr;
  check(get(session, 0, &raw), codes::kModel, path + ": cannot read the model's input/output types");
  const Owned<OrtTypeInfo> info(raw);
  const OrtTensorTypeAndShapeInfo* tensor = nullptr;  // owned by `info`
  check(ort_api().CastTypeInfoToTensorInfo(info.get(), &tensor), codes::kModel, path + ": cannot read the model's types");
  ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  if (tensor) check(ort_api().GetTensorElementType(tensor, &type), codes::kModel, path + ": cannot read the model's types");
  return type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
}

ModelSession open_session(const OrtEnv* env, const OrtSessionOptions* options, const std::string& path) {
  const OrtApi& api = ort_api();
  OrtSession* raw = nullptr;
  check(api.CreateSession(env, path.c_str(), options, &raw), codes::kModel, path + ": ONNX Runtime cannot load it");
  ModelSession s{path, Owned<OrtSession>(raw), "", ""};
  size_t inputs = 0, outputs = 0;
  check(api.SessionGetInputCount(raw, &inputs), codes::kModel, path + ": cannot count the model's inputs");
  check(api.SessionGetOutputCount(raw, &outputs), codes::kModel, path + ": cannot count the model's outputs");
  if (inputs != 1 || outputs < 1)
    throw Error(codes::kModel, path + ": an OCR model has one input and an output; this one has " + std::to_string(inputs) +
                                   " inputs and " + std::to_string(outputs) + " outputs");
  if (!is_float_tensor(api.SessionGetInputTypeInfo, raw, path) || !is_float_tensor(api.SessionGetOutputTypeInfo, raw, path))
    throw Error(codes::kModel, path + ": the model's input and first output must be float32 tensors");
  s.input = io_name(api.SessionGetInputName, raw, path);
  s.output = io_name(api.SessionGetOutputName, raw, path);
  return s;
}

class OrtInference : public Inference {
 public:
  OrtInference(const Bundle& bundle, const OrtSettings& settings) {
    const OrtApi& api = ort_api();
    OrtEnv* env = nullptr;
    check(api.CreateEnv(ORT_LOGGING_LEVEL_ERROR, "edgeocr", &env), codes::kInternal, "ONNX Runtime cannot start");
    env_.reset(env);
    OrtSessionOptions* options = nullptr;
    check(api.CreateSessionOptions(&options), codes::kInternal, "ONNX Runtime cannot create session options");
    const Owned<OrtSessionOptions> owned_options(options);
    check(api.SetIntraOpNumThreads(options, settings.threads), codes::kBadArgs,
          "ONNX Runtime refuses " + std::to_string(settings.threads) + " threads");
    check(api.SetInterOpNumThreads(options, 1), codes::kInternal, "ONNX Runtime refuses one inter-op thread");
    OrtMemoryInfo* memory = nullptr;
    check(api.CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &memory), codes::kInternal,
          "ONNX Runtime has no CPU memory info");
    memory_.reset(memory);
    for (const auto& [model, path] : bundle.model_paths) sessions_.emplace(model, open_session(env, options, path));
  }

  bool has(Model model) const override { return sessions_.count(model) != 0; }

  // One session per model, reused across input shapes: ORT plans per shape inside a session.
  Tensor run(Model model, const Tensor& input) override {
    const auto it = sessions_.find(model);
    if (it == sessions_.end()) throw Error(codes::kModel, std::string("bundle has no ") + model_name(model) + " model");
    const ModelSession& s = it->second;
    const OrtApi& api = ort_api();
    OrtValue* in = nullptr;
    check(api.CreateTensorWithDataAsOrtValue(memory_.get(), const_cast<float*>(input.data.data()),  // ORT only reads it
                                             input.data.size() * sizeof(float), input.shape.data(), input.shape.size(),
                                             ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &in),
          codes::kInternal, "cannot wrap an input of shape " + input.shape_string());
    const Owned<OrtValue> owned_in(in);
    const char* in_name = s.input.c_str();
    const char* out_name = s.output.c_str();
    OrtValue* out = nullptr;
    check(api.Run(s.session.get(), nullptr, &in_name, &in, 1, &out_name, 1, &out), codes::kModel,
          s.path + ": ONNX Runtime failed on an input of shape " + input.shape_string());
    const Owned<OrtValue> owned_out(out);
    OrtTensorTypeAndShapeInfo* info = nullptr;
    check(api.GetTensorTypeAndShape(out, &info), codes::kModel, s.path + ": output is not a tensor");
    const Owned<OrtTensorTypeAndShapeInfo> owned_info(info);
    size_t rank = 0;
    check(api.GetDimensionsCount(info, &rank), codes::kModel, s.path + ": output has no shape");
    Tensor result;
    result.shape.resize(rank);
    check(api.GetDimensions(info, result.shape.data(), rank), codes::kModel, s.path + ": output has no shape");
    void* data = nullptr;
    check(api.GetTensorMutableData(out, &data), codes::kModel, s.path + ": output has no data");
    const float* values = static_cast<const float*>(data);
    result.data.assign(values, values + result.numel());
    return result;
  }

  std::string runtime_version() const override { return ort_library_version(); }

 private:
  // declared first, destroyed last: sessions are released before the environment
  Owned<OrtEnv> env_;
  Owned<OrtMemoryInfo> memory_;
  std::map<Model, ModelSession> sessions_;
};
}  // namespace

std::unique_ptr<Inference> create_ort_inference(const Bundle& bundle, const OrtSettings& settings) {
  return std::make_unique<OrtInference>(bundle, settings);
}

std::string ort_library_version() { return api_base().GetVersionString(); }

}  // namespace edgeocr
