// gan/io/png.hpp: PNG output through stb_image_write (Debian: libstb-dev), written atomically.
// The only header of the library that includes stb, and only when it is there.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

// Without stb (not installed, or GAN_NO_STB defined) everything else in gan/gan.hpp still
// compiles; write_png then throws, saying how to install it.
#if !defined(GAN_NO_STB) && __has_include(<stb/stb_image_write.h>)
#define GAN_STB_HEADER <stb/stb_image_write.h>
#elif !defined(GAN_NO_STB) && __has_include(<stb_image_write.h>)
#define GAN_STB_HEADER <stb_image_write.h>
#endif
#if defined(GAN_STB_HEADER)
#ifndef STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC  // private copy per translation unit: header-only, no link clashes
#define STB_IMAGE_WRITE_IMPLEMENTATION
#endif
#include GAN_STB_HEADER
#endif

#include <stdexcept>

#include "serialize.hpp"

namespace gan::io {

/// Writes 8-bit pixels (row-major, `channels` = 1 grey, 3 RGB or 4 RGBA) as a PNG file.
inline void write_png(const std::string& path, int width, int height, int channels, const std::uint8_t* pixels) {
  if (width <= 0 || height <= 0 || channels < 1 || channels > 4)
    throw std::invalid_argument("write_png('" + path + "'): bad image size " + std::to_string(width) + "x" +
                                std::to_string(height) + "x" + std::to_string(channels));
#if !defined(GAN_STB_HEADER)
  (void)pixels;
  throw std::runtime_error("write_png('" + path + "'): this program was built without stb_image_write.h; install "
                           "libstb-dev (Debian/Ubuntu) or add its folder to the include path, and rebuild");
#else
  std::vector<unsigned char> bytes;
  auto sink = [](void* ctx, void* data, int n) {
    auto* out = static_cast<std::vector<unsigned char>*>(ctx);
    out->insert(out->end(), static_cast<unsigned char*>(data), static_cast<unsigned char*>(data) + n);
  };
  if (!stbi_write_png_to_func(sink, &bytes, width, height, channels, pixels, width * channels))
    throw std::runtime_error("write_png('" + path + "'): PNG encoding failed");
  atomic_write(path, bytes.data(), bytes.size());
#endif
}

}  // namespace gan::io
