# cmake -P tabular_cli.cmake: gan-tabular as a user runs it (tests/CMakeLists.txt).
# Inputs: TOOL (gan-tabular), DATA (the project's data/ folder), WORK (scratch dir),
# REPORT_HEADER (the path of gan/metrics/tabular_report.hpp, which the report command needs).
#  1. fit 2 epochs on Breast Cancer (also with 1 and 3 threads and --target: the same bytes; an unknown
#     --target is refused); sample plain, under a condition, and under an unknown column.
#  2. report real against synthetic (or, without the report library, exit 2 naming it).
#  3. augment a 60-row file to balanced classes.
#  4. Bad input: a CSV line with a wrong field count, a corrupt model.
#  5. Ctrl-C (SIGINT from coreutils' timeout, where there is one) during fit: exit 130 and a model.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(train ${DATA}/breast_cancer/breast_cancer_train.csv)
function(run)
  execute_process(COMMAND ${TOOL} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err WORKING_DIRECTORY ${WORK})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (exit ${rc}): gan-tabular ${ARGN}\n${out}\n${err}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
endfunction()
# A failure with exit code 1 whose message matches `expect`.
function(fails expect)
  execute_process(COMMAND ${TOOL} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err WORKING_DIRECTORY ${WORK})
  if(NOT rc EQUAL 1 OR NOT err MATCHES "^gan-tabular: .*${expect}")
    message(FATAL_ERROR "expected exit 1 and a message matching '${expect}': gan-tabular ${ARGN}\nexit ${rc}\n${out}\n${err}")
  endif()
endfunction()
# The last line of OUT must be the command's JSON line.
function(json_line command)
  string(STRIP "${OUT}" out)
  string(REGEX MATCH "[^\n]*$" last "${out}")
  if(NOT last MATCHES "^{\"command\":\"${command}\".*}$")
    message(FATAL_ERROR "gan-tabular ${command}: the last line is not its JSON line:\n${OUT}")
  endif()
  set(LAST "${last}" PARENT_SCOPE)
endfunction()
# The values of the last field of each line of a CSV file (header included).
function(last_fields file var)
  file(STRINGS ${file} lines)
  set(values)
  foreach(line IN LISTS lines)
    string(REGEX MATCH "[^,]*$" v "${line}")
    list(APPEND values "${v}")
  endforeach()
  set(${var} "${values}" PARENT_SCOPE)
endfunction()

# 1. fit, sample.
run(fit ${train} -o bc.gan --epochs 2 --batch 100 --checkpoint-every 1 --save-schema schema.csv)
json_line(fit)
if(NOT LAST MATCHES "\"rows\":455,\"columns\":31,\"epochs\":2," OR NOT OUT MATCHES "target +categorical")
  message(FATAL_ERROR "fit: no column summary or wrong figures:\n${OUT}")
endif()
if(NOT EXISTS ${WORK}/bc.gan OR NOT EXISTS ${WORK}/schema.csv)
  message(FATAL_ERROR "fit wrote no model or no schema")
endif()

# The thread count changes no result: the same fit with 1 and 3 threads writes the same bytes.
# (With --target: the auxiliary classifier is deterministic too.)
run(fit ${train} -o bc1.gan --epochs 2 --batch 100 --quiet --threads 1 --target target)
json_line(fit)
if(NOT LAST MATCHES "\"target\":\"target\"")
  message(FATAL_ERROR "fit --target: the JSON line does not name the target:\n${OUT}")
endif()
run(--threads 3 fit ${train} -o bc3.gan --epochs 2 --batch 100 --quiet --target target)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/bc1.gan ${WORK}/bc3.gan RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "fit with --threads 1 and --threads 3 wrote different models")
endif()

run(sample bc.gan -n 200 -o synthetic.csv --seed 3)
json_line(sample)
file(STRINGS ${WORK}/synthetic.csv lines)
list(LENGTH lines n)
list(GET lines 0 header)
file(STRINGS ${train} real_lines LIMIT_COUNT 1)
if(NOT n EQUAL 201 OR NOT header STREQUAL real_lines)
  message(FATAL_ERROR "sample: ${n} lines (expected 201), header '${header}'")
endif()

run(sample bc.gan -n 50 -o ones.csv --where target=1)
last_fields(${WORK}/ones.csv targets)
list(REMOVE_AT targets 0)
list(REMOVE_DUPLICATES targets)
if(NOT targets STREQUAL "1")
  message(FATAL_ERROR "sample --where target=1: targets ${targets}")
endif()

fails("nope" sample bc.gan -n 5 -o nope.csv --where nope=1)
if(EXISTS ${WORK}/nope.csv)
  message(FATAL_ERROR "sample --where nope=1 failed but wrote nope.csv")
endif()

# The CPU build refuses --backend gpu before reading anything, and writes nothing.
fails("CPU backend only" sample bc.gan -n 5 -o gpu.csv --backend gpu)
if(EXISTS ${WORK}/gpu.csv)
  message(FATAL_ERROR "sample --backend gpu failed but wrote gpu.csv")
endif()

# 2. report: the report library may not be there yet; then the command says so and exits 2.
execute_process(COMMAND ${TOOL} report ${train} synthetic.csv --target target --test ${DATA}/breast_cancer/breast_cancer_test.csv
                RESULT_VARIABLE rc OUTPUT_VARIABLE OUT ERROR_VARIABLE err WORKING_DIRECTORY ${WORK})
if(EXISTS ${REPORT_HEADER})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "report failed (exit ${rc}):\n${OUT}\n${err}")
  endif()
  json_line(report)
elseif(NOT rc EQUAL 2 OR NOT err MATCHES "tabular_report.hpp")
  message(FATAL_ERROR "report without the report library: exit ${rc} (expected 2)\n${err}")
else()
  message(STATUS "report: the library has no gan/metrics/tabular_report.hpp yet (exit 2, as designed)")
endif()

# 3. augment: the first 60 rows (21 of class 0, 39 of class 1) to balanced classes.
file(STRINGS ${train} real_lines LIMIT_COUNT 61)
list(JOIN real_lines "\n" small)
file(WRITE ${WORK}/small.csv "${small}\n")
run(augment small.csv --target target -o balanced.csv --epochs 2 --batch 20 --quiet)
json_line(augment)
last_fields(${WORK}/small.csv before)
last_fields(${WORK}/balanced.csv after)
list(LENGTH after n)
list(SUBLIST after 0 61 first)
if(NOT first STREQUAL before)
  message(FATAL_ERROR "augment: the original rows are not first, in order")
endif()
list(REMOVE_AT after 0)
set(count_0 0)
set(count_1 0)
foreach(v IN LISTS after)
  math(EXPR count_${v} "${count_${v}} + 1")
endforeach()
if(n LESS_EQUAL 61 OR NOT count_0 EQUAL count_1 OR NOT count_0 EQUAL 39)
  message(FATAL_ERROR "augment: ${n} lines, classes 0: ${count_0}, 1: ${count_1} (expected 39 each)\n${OUT}")
endif()

# 4. Bad input: the messages name the line or the file; nothing is written.
file(READ ${WORK}/small.csv text)
string(REPLACE "\n8.726," "\n8.726,1," text "${text}")
file(WRITE ${WORK}/malformed.csv "${text}")
fails("malformed.csv, line 3.*line 3 has 32 fields" fit malformed.csv -o malformed.gan --epochs 1)
fails("target: no column named 'nope' \\(the columns are: mean radius, " fit ${train} -o nope.gan --epochs 1 --target nope)
if(EXISTS ${WORK}/nope.gan)
  message(FATAL_ERROR "fit --target nope wrote a model")
endif()
file(READ ${WORK}/bc.gan hex HEX)
string(SUBSTRING "${hex}" 0 2000 head)
file(WRITE ${WORK}/corrupt.gan "${head}")  # text, not the bytes: a file that is no model
fails("corrupt.gan" sample corrupt.gan -n 5 -o corrupt.csv)
file(COPY_FILE ${WORK}/bc.gan ${WORK}/damaged.gan)
file(APPEND ${WORK}/damaged.gan "junk")  # a real model with bytes added: its checksum fails
fails("damaged.gan.*checksum" augment small.csv --target target -o never.csv --model damaged.gan)
if(EXISTS ${WORK}/malformed.gan OR EXISTS ${WORK}/corrupt.csv OR EXISTS ${WORK}/never.csv)
  message(FATAL_ERROR "a failed command wrote its output")
endif()

# 5. Ctrl-C: with no periodic checkpoints, the model on disk is the one saved at the interrupt.
find_program(TIMEOUT timeout)
if(TIMEOUT)
  execute_process(COMMAND ${TIMEOUT} --preserve-status -s INT 3 ${TOOL} fit ${train} -o stopped.gan --epochs 1000000
                          --batch 100 --checkpoint-every 0 --quiet
                  RESULT_VARIABLE rc OUTPUT_VARIABLE OUT ERROR_VARIABLE err WORKING_DIRECTORY ${WORK})
  if(NOT rc EQUAL 130 OR NOT err MATCHES "stopped.gan holds the model after epoch [1-9]" OR NOT EXISTS ${WORK}/stopped.gan)
    message(FATAL_ERROR "fit after Ctrl-C: exit ${rc} (expected 130), message:\n${err}")
  endif()
  json_line(fit)
  run(sample stopped.gan -n 10 -o stopped.csv)
else()
  message(STATUS "no timeout program: the Ctrl-C check is skipped")
endif()
message("tabular cli ok: fit, sample, --where, report, augment, bad input")
