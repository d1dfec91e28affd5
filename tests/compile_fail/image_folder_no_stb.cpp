// Reading an image folder needs stb_image: with GAN_NO_STB (a build that turned stb off) including
// gan/data/image_folder.hpp is an error that says so, not a wall of undeclared stbi_ names.
// expect: GAN_NO_STB turns off
#define GAN_NO_STB
#include <gan/data/image_folder.hpp>
