// gan/data/image_folder.hpp: a folder of the user's own images as a real-data sampler.
//
//   my_images/                     one subfolder per class: the subfolder names, sorted, are the
//     cats/  a.png b.jpg ...       class names and the labels are 0, 1, ... in that order;
//     dogs/  x.png sub/y.bmp ...   a class folder is read with its subfolders
//   or
//   my_images/ a.png b.png ...     images directly in the folder (and no subfolder with images):
//                                  one class, named after the folder
//
//   gan::data::ImageFolder data("my_images", {.channels = 3, .height = 32, .width = 32});
//   std::cout << data.summary();   // images per class, the sample shape, skipped and ignored files
//   trainer.step(data);            // images (rows, 3x32x32) in [-1, 1]; a conditional GAN also gets
//                                  // the labels one-hot, as with gan::data::FashionMnist
//
// Reads what stb_image reads (PNG, JPEG, BMP, TGA, GIF's first frame, PSD, HDR, PIC, PNM), through
// Debian's libstb-dev, so gan/gan.hpp does not include this header. Every image is converted to
// `channels` (grey to RGB by copying the grey value; RGB to grey by luma, 0.299 R + 0.587 G + 0.114 B;
// a transparent pixel is composited over the `background` grey level, white by default, as image
// viewers show it) and resized to height x width (an area average when a side shrinks,
// bilinear interpolation when it grows, pixel centres aligned), then rounded once to bytes.
//
// Files are taken in sorted order (name by name, byte order), so the same folder always gives the same
// images, labels and draws. Hidden files and folders (names starting with '.') and files without an
// image extension are ignored and listed in ignored(). An image that cannot be decoded is a
// gan::FormatError naming it and stb's reason, or, with skip_unreadable, skipped and listed in skipped().
#pragma once

#if defined(GAN_NO_STB)
#error "gan/data/image_folder.hpp reads images with stb_image (libstb-dev), which GAN_NO_STB turns off: do not define GAN_NO_STB where image folders are read"
#elif __has_include(<stb/stb_image.h>)
#define GAN_STB_IMAGE_HEADER <stb/stb_image.h>
#elif __has_include(<stb_image.h>)
#define GAN_STB_IMAGE_HEADER <stb_image.h>
#else
#error "gan/data/image_folder.hpp needs stb_image.h: install libstb-dev (Debian/Ubuntu: sudo apt-get install libstb-dev) or add the folder holding stb_image.h to the include path"
#endif
#ifndef STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC  // a private copy per translation unit: header-only, no link clashes
#define STB_IMAGE_IMPLEMENTATION
#endif
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include GAN_STB_IMAGE_HEADER
#pragma GCC diagnostic pop

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "labelled_images.hpp"

namespace gan::data {

/// How ImageFolder turns files into samples.
struct ImageFolderOptions {
  /// 1: grey (RGB images by luma), 3: RGB (grey images copied to the three channels).
  int channels = 3;
  /// The size every image is resized to; 0 and 0: the size of the first image read.
  index_t height = 0, width = 0;
  /// false: an image that cannot be decoded throws a FormatError; true: it is skipped and listed.
  bool skip_unreadable = false;
  /// Images with more pixels than this are unreadable (a guard against absurd or hostile headers).
  std::uint64_t max_pixels = std::uint64_t(1) << 26;
  /// Images with an alpha channel are composited over this grey level (0 black .. 255 white):
  /// v' = (a v + (255 - a) background) / 255. Dropping alpha instead would turn icons and
  /// cut-outs, whose transparent pixels are often stored black, into black squares.
  int background = 255;
};

namespace detail {

/// Along one axis, the source pixels (from `first`, consecutive) and weights of one output pixel.
struct ResizeTaps {
  int first = 0;
  std::vector<float> weight;
};

/// The taps that resize an axis of `in` pixels to `out` pixels: the average over the output pixel's
/// footprint [o * in/out, (o + 1) * in/out) when shrinking, linear interpolation at the source point
/// (o + 0.5) * in/out - 0.5 (clamped to the edge pixels) when enlarging, a copy when the sizes agree.
inline std::vector<ResizeTaps> resize_taps(int in, int out) {
  std::vector<ResizeTaps> taps(static_cast<std::size_t>(out));
  const double scale = double(in) / double(out);
  for (int o = 0; o < out; ++o) {
    ResizeTaps& t = taps[std::size_t(o)];
    if (in == out) {
      t.first = o;
      t.weight = {1.0f};
    } else if (out < in) {
      const double a = o * scale, b = (o + 1 == out) ? double(in) : (o + 1) * scale;
      const int i0 = int(std::floor(a)), i1 = std::min(in, int(std::ceil(b)));
      std::vector<double> w;
      double sum = 0;
      for (int i = i0; i < i1; ++i) {
        const double overlap = std::min(b, double(i + 1)) - std::max(a, double(i));
        w.push_back(std::max(overlap, 0.0));
        sum += w.back();
      }
      t.first = i0;
      for (double x : w) t.weight.push_back(float(x / sum));
    } else {
      const double x = std::clamp((o + 0.5) * scale - 0.5, 0.0, double(in - 1));
      const int i0 = std::min(int(std::floor(x)), in - 1);
      const double f = x - i0;
      t.first = i0;
      t.weight = (i0 + 1 < in) ? std::vector<float>{float(1 - f), float(f)} : std::vector<float>{1.0f};
    }
  }
  return taps;
}

/// Resizes `channels` planes of h x w values (CHW) to oh x ow, one axis after the other.
inline std::vector<float> resize_planes(const std::vector<float>& in, int channels, int h, int w, int oh, int ow) {
  if (h == oh && w == ow) return in;
  const std::vector<ResizeTaps> tx = resize_taps(w, ow), ty = resize_taps(h, oh);
  std::vector<float> rows(std::size_t(h) * std::size_t(ow)), out(std::size_t(channels) * std::size_t(oh) * std::size_t(ow));
  for (int c = 0; c < channels; ++c) {
    const float* src = in.data() + std::size_t(c) * std::size_t(h) * std::size_t(w);
    for (int y = 0; y < h; ++y)  // along x: (h, w) -> (h, ow)
      for (int x = 0; x < ow; ++x) {
        const ResizeTaps& t = tx[std::size_t(x)];
        const float* p = src + std::size_t(y) * std::size_t(w) + std::size_t(t.first);
        float s = 0;
        for (std::size_t k = 0; k < t.weight.size(); ++k) s += t.weight[k] * p[k];
        rows[std::size_t(y) * std::size_t(ow) + std::size_t(x)] = s;
      }
    float* dst = out.data() + std::size_t(c) * std::size_t(oh) * std::size_t(ow);
    for (int y = 0; y < oh; ++y) {  // along y: (h, ow) -> (oh, ow)
      const ResizeTaps& t = ty[std::size_t(y)];
      for (int x = 0; x < ow; ++x) {
        float s = 0;
        for (std::size_t k = 0; k < t.weight.size(); ++k)
          s += t.weight[k] * rows[(std::size_t(t.first) + k) * std::size_t(ow) + std::size_t(x)];
        dst[std::size_t(y) * std::size_t(ow) + std::size_t(x)] = s;
      }
    }
  }
  return out;
}

/// A decoded image: its size and its values (0..255, not yet rounded) as CHW planes, or why not.
struct DecodedImage {
  int height = 0, width = 0;
  std::vector<float> planes;
  std::string error;  // empty when decoded
};

/// Reads and decodes the image file `path` into `channels` planes (1 or 3).
inline DecodedImage decode_image(const std::filesystem::path& path, int channels, std::uint64_t max_pixels,
                                 int background = 255) {
  DecodedImage d;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return d.error = "cannot read its size (" + ec.message() + ")", d;
  if (size == 0) return d.error = "empty file", d;
  if (size > std::uintmax_t(INT_MAX)) return d.error = std::to_string(size) + " bytes is too large for stb_image", d;
  std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
  std::ifstream f(path, std::ios::binary);
  if (!f) return d.error = "cannot open it for reading", d;
  f.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!f || std::size_t(f.gcount()) != bytes.size()) return d.error = "reading it failed", d;

  int w = 0, h = 0, n = 0;
  if (!stbi_info_from_memory(bytes.data(), int(bytes.size()), &w, &h, &n))
    return d.error = std::string("stb_image: ") + stbi_failure_reason(), d;
  if (w <= 0 || h <= 0 || std::uint64_t(w) * std::uint64_t(h) > max_pixels)
    return d.error = std::to_string(w) + "x" + std::to_string(h) + " pixels is more than max_pixels = " +
                     std::to_string(max_pixels),
           d;
  const std::unique_ptr<stbi_uc, void (*)(void*)> px(stbi_load_from_memory(bytes.data(), int(bytes.size()), &w, &h, &n, 0),
                                                     stbi_image_free);
  if (!px) return d.error = std::string("stb_image: ") + stbi_failure_reason(), d;
  d.height = h;
  d.width = w;
  const std::size_t plane = std::size_t(w) * std::size_t(h);
  d.planes.resize(std::size_t(channels) * plane);
  const bool colour = n >= 3;  // n: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA
  const bool alpha = n == 2 || n == 4;
  const float bg = float(background);
  for (std::size_t k = 0; k < plane; ++k) {
    const stbi_uc* p = px.get() + k * std::size_t(n);
    const float a = alpha ? float(p[n - 1]) / 255.f : 1.f;
    auto over = [&](float v) { return a * v + (1.f - a) * bg; };
    if (channels == 1) {
      d.planes[k] = over(colour ? 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2] : float(p[0]));
    } else {
      for (int c = 0; c < 3; ++c) d.planes[std::size_t(c) * plane + k] = over(float(p[colour ? c : 0]));
    }
  }
  return d;
}

inline bool hidden(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

}  // namespace detail

/// The images of a folder, with one class per subfolder (or one class), as a LabelledImages.
class ImageFolder : public LabelledImages {
 public:
  /// A file that was not used, and why.
  struct File {
    std::string path, reason;
  };

  /// The extensions read as images (compared without regard to case).
  static constexpr std::array<const char*, 12> extensions = {".png", ".jpg", ".jpeg", ".bmp", ".tga", ".gif",
                                                             ".psd", ".hdr", ".pic",  ".pnm", ".ppm", ".pgm"};

  /// Reads every image under `folder`. Throws FormatError when the folder is missing, is not a
  /// folder or holds no images, and (without skip_unreadable) when an image cannot be decoded;
  /// std::invalid_argument for bad options.
  explicit ImageFolder(const std::string& folder, const ImageFolderOptions& options = {})
      : ImageFolder(load(folder, options)) {}

  /// The folder the images came from, as given.
  const std::string& folder() const { return folder_; }
  /// The file image i was read from.
  const std::string& file(std::size_t i) const { return files_.at(i); }
  /// Images that could not be decoded (only with skip_unreadable), in the order met.
  const std::vector<File>& skipped() const { return skipped_; }
  /// Files and folders that were not read: hidden, not an image, ... (sorted).
  const std::vector<File>& ignored() const { return ignored_; }

  /// Whether `p` has one of the image extensions.
  static bool is_image(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    for (char& ch : ext) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return std::find_if(extensions.begin(), extensions.end(), [&](const char* e) { return ext == e; }) != extensions.end();
  }

  /// Several lines: the folder, the images per class, the sample shape, and the files skipped or ignored.
  std::string summary() const {
    const Shape s = shape();
    std::string out = "image folder '" + folder_ + "': " + std::to_string(size()) + " images in " +
                      std::to_string(classes()) + (classes() == 1 ? " class" : " classes") + ", each " +
                      std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w) +
                      " (channels x height x width)\n";
    const std::vector<std::size_t> n = class_counts();
    for (int k = 0; k < classes(); ++k)
      out += "  " + std::to_string(k) + " " + class_name(k) + ": " + std::to_string(n[std::size_t(k)]) + " images\n";
    const auto list = [&](const char* title, const std::vector<File>& files) {
      out += "  " + std::string(title) + ": " + std::to_string(files.size()) + "\n";
      const std::size_t shown = std::min<std::size_t>(files.size(), 20);
      for (std::size_t i = 0; i < shown; ++i) out += "    " + files[i].path + ": " + files[i].reason + "\n";
      if (shown < files.size()) out += "    ... and " + std::to_string(files.size() - shown) + " more\n";
    };
    list("skipped (unreadable)", skipped_);
    list("ignored", ignored_);
    return out;
  }

 private:
  struct Loaded {
    LabelledImages images;
    std::string folder;
    std::vector<std::string> files;
    std::vector<File> skipped, ignored;
  };
  explicit ImageFolder(Loaded&& l)
      : LabelledImages(std::move(l.images)),
        folder_(std::move(l.folder)),
        files_(std::move(l.files)),
        skipped_(std::move(l.skipped)),
        ignored_(std::move(l.ignored)) {}

  // The entries of a folder, sorted; failures to list it are FormatErrors naming it.
  static std::vector<std::filesystem::directory_entry> list(const std::filesystem::path& dir, const std::string& what) {
    std::vector<std::filesystem::directory_entry> entries;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) entries.push_back(*it);
    if (ec) throw FormatError(what + ": cannot list '" + dir.string() + "' (" + ec.message() + ")");
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
    return entries;
  }

  // The image files under `dir`, subfolders included, sorted; everything else goes to `ignored`.
  static std::vector<std::filesystem::path> images_under(const std::filesystem::path& dir, const std::string& what,
                                                         std::vector<File>& ignored) {
    std::vector<std::filesystem::path> images;
    for (const auto& e : list(dir, what)) {
      std::error_code ec;
      if (detail::hidden(e.path())) {
        ignored.push_back({e.path().string(), "hidden"});
      } else if (e.is_directory(ec)) {
        if (e.is_symlink(ec)) {
          ignored.push_back({e.path().string(), "a link to a folder (not followed)"});
        } else {
          for (auto& p : images_under(e.path(), what, ignored)) images.push_back(std::move(p));
        }
      } else if (!e.is_regular_file(ec)) {
        ignored.push_back({e.path().string(), "not a regular file"});
      } else if (!is_image(e.path())) {
        ignored.push_back({e.path().string(), "not an image (extension '" + e.path().extension().string() + "')"});
      } else {
        images.push_back(e.path());
      }
    }
    return images;
  }

  static Loaded load(const std::string& folder, const ImageFolderOptions& o) {
    if (o.channels != 1 && o.channels != 3)
      throw std::invalid_argument("ImageFolderOptions: channels = " + std::to_string(o.channels) +
                                  "; use 1 (grey) or 3 (RGB)");
    if (o.background < 0 || o.background > 255)
      throw std::invalid_argument("ImageFolderOptions: background = " + std::to_string(o.background) +
                                  "; use a grey level 0..255");
    if (o.height < 0 || o.width < 0 || (o.height == 0) != (o.width == 0))
      throw std::invalid_argument("ImageFolderOptions: height = " + std::to_string(o.height) + ", width = " +
                                  std::to_string(o.width) + "; give both (> 0), or neither (0) to take the first image's size");
    const std::string what = "image folder '" + folder + "'";
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path root(folder);
    const fs::file_status st = fs::status(root, ec);
    if (st.type() == fs::file_type::not_found) throw FormatError(what + ": does not exist");
    if (ec) throw FormatError(what + ": cannot be examined (" + ec.message() + ")");
    if (st.type() != fs::file_type::directory) throw FormatError(what + ": is not a folder");

    // Classes: the subfolders that hold images; or, when there are none, the folder itself.
    Loaded l;
    l.folder = folder;
    std::vector<std::string> names;
    std::vector<std::vector<fs::path>> classes;
    std::vector<fs::path> loose;  // images directly in the folder
    for (const auto& e : list(root, what)) {
      const std::string name = e.path().filename().string();
      if (detail::hidden(e.path())) {
        l.ignored.push_back({e.path().string(), "hidden"});
      } else if (e.is_directory(ec)) {
        std::vector<fs::path> images = images_under(e.path(), what, l.ignored);
        if (images.empty()) {
          l.ignored.push_back({e.path().string(), "a folder without images"});
        } else {
          names.push_back(name);
          classes.push_back(std::move(images));
        }
      } else if (!e.is_regular_file(ec)) {
        l.ignored.push_back({e.path().string(), "not a regular file"});
      } else if (!is_image(e.path())) {
        l.ignored.push_back({e.path().string(), "not an image (extension '" + e.path().extension().string() + "')"});
      } else {
        loose.push_back(e.path());
      }
    }
    if (classes.empty() && !loose.empty()) {
      fs::path base = fs::absolute(root, ec).lexically_normal();
      if (base.filename().empty()) base = base.parent_path();
      names.push_back(base.filename().string());
      classes.push_back(std::move(loose));
    } else {
      for (const fs::path& p : loose)
        l.ignored.push_back({p.string(), "an image beside the class folders (only the class folders are read)"});
    }
    if (classes.empty()) {
      std::string exts;
      for (const char* e : extensions) exts += std::string(exts.empty() ? "" : " ") + e;
      throw FormatError(what + ": no images found (looked for " + exts + ", in the folder and its subfolders" +
                        (l.ignored.empty() ? std::string() : "; " + std::to_string(l.ignored.size()) + " entries ignored") +
                        ")");
    }
    std::sort(l.ignored.begin(), l.ignored.end(), [](const File& a, const File& b) { return a.path < b.path; });

    // Decode, convert and resize every image, in order.
    index_t height = o.height, width = o.width;
    std::vector<std::uint8_t> pixels;
    std::vector<int> labels;
    for (std::size_t k = 0; k < classes.size(); ++k)
      for (const fs::path& p : classes[k]) {
        const detail::DecodedImage d = detail::decode_image(p, o.channels, o.max_pixels, o.background);
        if (!d.error.empty()) {
          if (!o.skip_unreadable)
            throw FormatError(what + ": cannot read '" + p.string() + "': " + d.error +
                              " (ImageFolderOptions::skip_unreadable skips such files)");
          l.skipped.push_back({p.string(), d.error});
          continue;
        }
        if (height == 0) height = d.height, width = d.width;
        const std::vector<float> v = detail::resize_planes(d.planes, o.channels, d.height, d.width, int(height), int(width));
        for (float x : v) pixels.push_back(std::uint8_t(std::lround(std::clamp(x, 0.0f, 255.0f))));
        labels.push_back(int(k));
        l.files.push_back(p.string());
      }
    if (labels.empty())
      throw FormatError(what + ": no readable images: all " + std::to_string(l.skipped.size()) +
                        " were skipped (the first, '" + l.skipped.front().path + "': " + l.skipped.front().reason + ")");
    const std::size_t count = labels.size();
    const int n_classes = int(names.size());
    l.images = LabelledImages(std::move(pixels), count, o.channels, height, width, std::move(labels), n_classes, what,
                              std::move(names));
    return l;
  }

  std::string folder_;
  std::vector<std::string> files_;
  std::vector<File> skipped_, ignored_;
};

}  // namespace gan::data
