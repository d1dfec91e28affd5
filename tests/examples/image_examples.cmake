# cmake -P image_examples.cmake: the image examples as a user runs them (tests/CMakeLists.txt).
# Inputs: DCGAN, CDCGAN, METRICS (the three programs), WORK (scratch dir).
#  1. --resume continues bit for bit: 2 steps then 2 more give the checkpoint of 4 straight steps.
#  2. --data DIR trains on a folder of class subfolders of PNGs (colour, of another size) that the
#     project has never seen (made here from the grids run 1 wrote), with no code change.
#  3. gan-image-metrics scores a folder (FD, KID, precision/recall and the floor in its JSON line),
#     and a conditional model's --save-samples folders with the class accuracy.
#  4. Bad input: a missing folder and a folder of broken images fail with the path in the message.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err WORKING_DIRECTORY ${WORK})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
endfunction()
function(fails expect)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err WORKING_DIRECTORY ${WORK})
  if(rc EQUAL 0 OR NOT err MATCHES "${expect}")
    message(FATAL_ERROR "expected a failure naming '${expect}': ${ARGN}\nexit ${rc}\n${out}\n${err}")
  endif()
endfunction()
set(quick --eval-samples 0 --batch 16 --grid-every 1 --checkpoint-every 100)

# 1. Resume.
run(${DCGAN} ${quick} --steps 4 --out straight)
run(${DCGAN} ${quick} --steps 2 --out resumed)
run(${DCGAN} ${quick} --steps 4 --out resumed --resume)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/straight/dcgan.ckpt ${WORK}/resumed/dcgan.ckpt
                RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  message(FATAL_ERROR "dcgan_fashion: 2 + 2 resumed steps differ from 4 straight steps")
endif()
if(NOT EXISTS ${WORK}/straight/grid.png OR NOT EXISTS ${WORK}/straight/grid_000003.png)
  message(FATAL_ERROR "dcgan_fashion wrote no grids")
endif()

# 2. A folder of class subfolders: RGB pictures of another size (the grids), 2 classes.
file(MAKE_DIRECTORY ${WORK}/folder/early ${WORK}/folder/late)
foreach(k 0 1)
  file(COPY_FILE ${WORK}/straight/grid_00000${k}.png ${WORK}/folder/early/${k}.png)
  file(COPY_FILE ${WORK}/resumed/grid_00000${k}.png ${WORK}/folder/early/r${k}.png)
endforeach()
foreach(k 2 3)
  file(COPY_FILE ${WORK}/straight/grid_00000${k}.png ${WORK}/folder/late/${k}.png)
  file(COPY_FILE ${WORK}/resumed/grid_00000${k}.png ${WORK}/folder/late/r${k}.png)
endforeach()
file(WRITE ${WORK}/folder/late/notes.txt "not an image: ignored")
run(${DCGAN} ${quick} --steps 2 --data folder --out folder_dcgan)
run(${CDCGAN} ${quick} --steps 2 --data folder --channels 1 --out folder_cdcgan)
if(NOT OUT MATCHES "\"data\": \"folder\"" OR NOT EXISTS ${WORK}/folder_cdcgan/grid.png)
  message(FATAL_ERROR "cdcgan_fashion --data: no JSON line or grid\n${OUT}")
endif()

# 3. The metrics command on folders (a tiny classifier run: the figures' values are not tested here).
run(${METRICS} folder folder --classifier tiny.ckpt --train-steps 5 --kid-subsets 2)
if(NOT OUT MATCHES "\"fd\": [-0-9.e]+, \"kid\"" OR NOT OUT MATCHES "\"floor\": {")
  message(FATAL_ERROR "gan-image-metrics: no figures in\n${OUT}")
endif()

# A conditional model's samples in class subfolders: the metrics add the class accuracy.
run(${CDCGAN} ${quick} --steps 1 --save-samples 30 --out cond)
if(NOT EXISTS ${WORK}/cond/samples/9/000029.png)
  message(FATAL_ERROR "cdcgan_fashion --save-samples: no cond/samples/9/000029.png")
endif()
run(${METRICS} fashion cond/samples --classifier tiny.ckpt --max 200 --kid-subsets 2)
if(NOT OUT MATCHES "\"class_accuracy\": [0-9.]+}")
  message(FATAL_ERROR "gan-image-metrics: no class accuracy for class subfolders in\n${OUT}")
endif()

# 4. Bad input.
fails("no_such_folder" ${DCGAN} ${quick} --steps 1 --data no_such_folder --out bad)
file(MAKE_DIRECTORY ${WORK}/broken/a ${WORK}/broken/b)
file(WRITE ${WORK}/broken/a/x.png "this is not a PNG")
file(COPY_FILE ${WORK}/straight/grid.png ${WORK}/broken/b/y.png)
fails("broken/a/x.png" ${CDCGAN} ${quick} --steps 1 --data broken --out bad)
fails("resume" ${DCGAN} ${quick} --steps 1 --out never_ran --resume)
message(STATUS "image examples ok: resume, --data, metrics, bad input")
