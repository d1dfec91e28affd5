// gan/io/png.hpp: PNG output through stb_image_write (Debian: libstb-dev), written atomically.
// The only header of the library that includes stb.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#if __has_include(<stb/stb_image_write.h>)
#define GAN_STB_HEADER <stb/stb_image_write.h>
#elif __has_include(<stb_image_write.h>)
#define GAN_STB_HEADER <stb_image_write.h>
#else
#error "gan/io/png.hpp needs stb_image_write.h: install libstb-dev (Debian/Ubuntu) or add its folder to the include path"
#endif
#ifndef STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC  // private copy per translation unit: header-only, no link clashes
#define STB_IMAGE_WRITE_IMPLEMENTATION
#endif
#include GAN_STB_HEADER

#include "serialize.hpp"

namespace gan::io {

/// Writes 8-bit pixels (row-major, `channels` = 1 grey, 3 RGB or 4 RGBA) as a PNG file.
inline void write_png(const std::string& path, int width, int height, int channels, const std::uint8_t* pixels) {
  if (width <= 0 || height <= 0 || channels < 1 || channels > 4)
    throw std::invalid_argument("write_png('" + path + "'): bad image size " + std::to_string(width) + "x" +
                                std::to_string(height) + "x" + std::to_string(channels));
  std::vector<unsigned char> bytes;
  auto sink = [](void* ctx, void* data, int n) {
    auto* out = static_cast<std::vector<unsigned char>*>(ctx);
    out->insert(out->end(), static_cast<unsigned char*>(data), static_cast<unsigned char*>(data) + n);
  };
  if (!stbi_write_png_to_func(sink, &bytes, width, height, channels, pixels, width * channels))
    throw std::runtime_error("write_png('" + path + "'): PNG encoding failed");
  atomic_write(path, bytes.data(), bytes.size());
}

}  // namespace gan::io
