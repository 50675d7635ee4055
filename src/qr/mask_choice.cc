#include "mask_choice.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdlib>
#include <cstring>

namespace openmyna::qr {
namespace {

// A row or column of modules as bits, bit x of word x / 64 being module x,
// in kN words (3 hold version 40's 177 modules, §6.4.1, and 4 more); bits
// beyond the width are 0 unless said otherwise.
constexpr int kMaxWidth = 177;
template <std::size_t kN>
using Line = std::array<std::uint64_t, kN>;
template <std::size_t kN>
using Lines = std::array<Line<kN>, kMaxWidth>;

template <std::size_t kN>
void SetBit(Line<kN>& line, int x, bool on) {
  const std::uint64_t bit = std::uint64_t{1} << (x % 64);
  line[x / 64] = on ? line[x / 64] | bit : line[x / 64] & ~bit;
}

// Bit x of the result: bit x + k of `line` (0 past the last word), k < 64.
template <std::size_t kN>
Line<kN> Down(const Line<kN>& line, int k) {
  Line<kN> out;
  for (std::size_t w = 0; w < kN; ++w) {
    out[w] = line[w] >> k;
    if (w + 1 < kN) out[w] |= line[w + 1] << (64 - k);
  }
  return out;
}

// Bit x of the result: bit x - k of `line`; bits below k are `fill`.
template <std::size_t kN>
Line<kN> Up(const Line<kN>& line, int k, bool fill) {
  Line<kN> out;
  for (std::size_t w = 0; w < kN; ++w) {
    out[w] = line[w] << k;
    if (w > 0) out[w] |= line[w - 1] >> (64 - k);
  }
  if (fill) out[0] |= (std::uint64_t{1} << k) - 1;
  return out;
}

template <std::size_t kN>
Line<kN> operator&(Line<kN> a, const Line<kN>& b) {
  for (std::size_t w = 0; w < kN; ++w) a[w] &= b[w];
  return a;
}

template <std::size_t kN>
Line<kN> operator|(Line<kN> a, const Line<kN>& b) {
  for (std::size_t w = 0; w < kN; ++w) a[w] |= b[w];
  return a;
}

template <std::size_t kN>
Line<kN> operator^(Line<kN> a, const Line<kN>& b) {
  for (std::size_t w = 0; w < kN; ++w) a[w] ^= b[w];
  return a;
}

template <std::size_t kN>
Line<kN> operator~(Line<kN> a) {
  for (std::size_t w = 0; w < kN; ++w) a[w] = ~a[w];
  return a;
}

template <std::size_t kN>
int Count(const Line<kN>& line) {
  int n = 0;
  for (std::size_t w = 0; w < kN; ++w) n += std::popcount(line[w]);
  return n;
}

template <std::size_t kN>
bool Any(const Line<kN>& line) {
  for (std::size_t w = 0; w < kN; ++w) {
    if (line[w] != 0) return true;
  }
  return false;
}

// Bits 0 .. n-1 set.
template <std::size_t kN>
Line<kN> FirstBits(int n) {
  Line<kN> out;
  for (std::size_t w = 0; w < kN; ++w) {
    const int left = n - 64 * static_cast<int>(w);
    out[w] = left >= 64  ? ~std::uint64_t{0}
             : left <= 0 ? 0
                         : (std::uint64_t{1} << left) - 1;
  }
  return out;
}

// Table 10's conditions, i the row and j the column: where the condition
// holds, the data module's colour is inverted.
bool Inverted(int mask, int i, int j) {
  switch (mask) {
    case 0:
      return (i + j) % 2 == 0;
    case 1:
      return i % 2 == 0;
    case 2:
      return j % 3 == 0;
    case 3:
      return (i + j) % 3 == 0;
    case 4:
      return (i / 2 + j / 3) % 2 == 0;
    case 5:
      return (i * j) % 2 + (i * j) % 3 == 0;
    case 6:
      return ((i * j) % 2 + (i * j) % 3) % 2 == 0;
    default:
      return ((i + j) % 2 + (i * j) % 3) % 2 == 0;
  }
}

// The 8 patterns at one width, by rows and by columns; kept per thread for
// the width last asked for (a service draws codes of one size).
template <std::size_t kN>
struct Patterns {
  int width = 0;
  std::array<Lines<kN>, 8> rows, columns;
};

template <std::size_t kN>
const Patterns<kN>& PatternsFor(int width) {
  thread_local Patterns<kN> patterns;
  if (patterns.width != width) {
    patterns.width = width;
    for (int mask = 0; mask < 8; ++mask) {
      patterns.rows[mask] = {};
      patterns.columns[mask] = {};
      for (int i = 0; i < width; ++i) {
        for (int j = 0; j < width; ++j) {
          if (!Inverted(mask, i, j)) continue;
          SetBit<kN>(patterns.rows[mask][i], j, true);
          SetBit<kN>(patterns.columns[mask][j], i, true);
        }
      }
    }
  }
  return patterns;
}

// The 15 bits of format information (§7.9.1): the level's 2 bits (Table 12:
// L 01, M 00, Q 11, H 10) and the mask's 3, a BCH(15,5) code of generator
// x^10 + x^8 + x^5 + x^4 + x^2 + x + 1 (Annex C.2), XOR 101010000010010.
int FormatInformation(QRecLevel level, int mask) {
  constexpr int kLevelBits[] = {1, 0, 3, 2};  // QR_ECLEVEL_L, M, Q, H
  const int data = kLevelBits[level] << 3 | mask;
  int remainder = data << 10;
  for (int bit = 14; bit >= 10; --bit) {
    if (remainder & (1 << bit)) remainder ^= 0x537 << (bit - 10);
  }
  return ((data << 10) | remainder) ^ 0x5412;
}

// Calls place(x, y, k) for bit 14 - k of the format information in both of
// its copies (§7.9.1, Figure 25), bit 14 first: row 8 at columns 0-5, 7, 8,
// then column 8 at rows 7, 5-0; column 8 at rows n-1 up to n-7, then row 8
// at columns n-8 to n-1.
template <typename Place>
void ForFormatModules(int width, Place place) {
  constexpr int kFirst[15][2] = {{0, 8}, {1, 8}, {2, 8}, {3, 8}, {4, 8},
                                 {5, 8}, {7, 8}, {8, 8}, {8, 7}, {8, 5},
                                 {8, 4}, {8, 3}, {8, 2}, {8, 1}, {8, 0}};
  for (int k = 0; k < 15; ++k) {
    place(kFirst[k][0], kFirst[k][1], k);
    if (k < 7) {
      place(8, width - 1 - k, k);
    } else {
      place(width - 15 + k, 8, k);
    }
  }
}

// N3 by the line's runs, for patterns of a unit of 2 modules or more (the
// bit test in LinePenalty counts unit 1).
template <std::size_t kN>
int WidePatterns(const Line<kN>& line, int width) {
  // The runs' lengths, runs[0] light (0 long when the line starts dark),
  // colours alternating; a run ends where the next module differs.
  int runs[kMaxWidth + 2];
  int last = 0, start = 0;
  if (line[0] & 1) runs[last++] = 0;
  const Line<kN> ends = (Down(line, 1) ^ line) & FirstBits<kN>(width - 1);
  for (std::size_t w = 0; w < kN; ++w) {
    for (std::uint64_t change = ends[w]; change != 0; change &= change - 1) {
      const int x = 64 * static_cast<int>(w) + std::countr_zero(change);
      runs[last++] = x + 1 - start;
      start = x + 1;
    }
  }
  runs[last] = width - start;
  int points = 0;
  // Dark runs sit at odd indices; r is the middle run of 1:1:3:1:1.
  for (int r = 3; r + 2 <= last; r += 2) {
    const int unit = runs[r - 1];
    if (unit < 2 || runs[r] != 3 * unit || runs[r - 2] != unit ||
        runs[r + 1] != unit || runs[r + 2] != unit) {
      continue;
    }
    const bool light_before = r == 3 || runs[r - 3] >= 4 * unit;
    const bool light_after = r + 3 >= last || runs[r + 3] >= 4 * unit;
    if (light_before || light_after) points += 40;
  }
  return points;
}

// N1 and N3 of one row or column (`inside`: its first width - 1 bits).
template <std::size_t kN>
int LinePenalty(const Line<kN>& dark, int width, const Line<kN>& inside,
                const Line<kN>& outside) {
  // N1: `five` marks the modules starting 5 of one colour; a run of n >= 5
  // holds n - 4 of them and scores n - 2, so 2 more for each run's first.
  const Line<kN> same = ~(dark ^ Down(dark, 1)) & inside;
  const Line<kN> five = same & Down(same, 1) & Down(same, 2) & Down(same, 3);
  int points = Count(five) + 2 * Count(five & ~Up(five, 1, false));
  // N3 of unit 1: dark, light, 3 dark, light, dark starting at x, light
  // (or the edge) at x - 1 and x + 7, and 4 light before or after it
  // (outside the symbol counting as light).
  const Line<kN> light = ~dark | outside;
  const Line<kN> pattern = dark & Down(light, 1) & Down(dark, 2) &
                           Down(dark, 3) & Down(dark, 4) & Down(light, 5) &
                           Down(dark, 6) & Up(light, 1, true) & Down(light, 7);
  if (Any(pattern)) {
    const Line<kN> before =
        Up(light, 2, true) & Up(light, 3, true) & Up(light, 4, true);
    const Line<kN> after = Down(light, 8) & Down(light, 9) & Down(light, 10);
    points += 40 * Count(pattern & (before | after));
  }
  // Wider units need a dark run of 6 or more.
  const Line<kN> six = dark & Down(dark, 1) & Down(dark, 2) & Down(dark, 3) &
                       Down(dark, 4) & Down(dark, 5);
  if (Any(six)) points += WidePatterns(dark, width);
  return points;
}

// The penalty points of the symbol given by rows and by columns (Table 11):
// N1 = 3 (+1 a module beyond 5) for each run of 5 or more modules of one
// colour in a row or column; N2 = 3 for each 2 × 2 block of one colour
// (blocks overlap); N3 = 40 for each dark-light-dark-light-dark sequence of
// runs 1:1:3:1:1 with a light run of at least 4 units, or the symbol's
// edge, on either side; N4 = 10 for each whole 5 % by which the dark share
// (rounded to a whole per cent) is off 50 %.
template <std::size_t kN>
int Penalty(const Lines<kN>& rows, const Lines<kN>& columns, int width) {
  const Line<kN> inside = FirstBits<kN>(width - 1);
  const Line<kN> outside = ~FirstBits<kN>(width);
  int points = 0;
  for (int k = 0; k < width; ++k) {
    points += LinePenalty(rows[k], width, inside, outside) +
              LinePenalty(columns[k], width, inside, outside);
  }
  // 2 × 2 blocks: module x of rows y-1 and y equal to each other and to
  // module x + 1 of both.
  int blocks = 0, dark = Count(rows[0]);
  for (int y = 1; y < width; ++y) {
    const Line<kN>& a = rows[y - 1];
    const Line<kN>& b = rows[y];
    dark += Count(b);
    blocks += Count(~(a ^ b) & ~(a ^ Down(a, 1)) & ~(b ^ Down(b, 1)) & inside);
  }
  points += 3 * blocks;
  const int all = width * width;
  const int percent = (200 * dark + all) / all / 2;  // rounded
  points += std::abs(percent - 50) / 5 * 10;
  return points;
}

// Bit 0 of byte k of `x` as bit k (each byte's bit lands on its own
// place of the product's top byte).
std::uint64_t PackBytes(std::uint64_t x) {
  return ((x & 0x0101010101010101) * 0x0102040810204080) >> 56;
}

// Bit k of `bits` as byte k (0 or 1) of the result, little-endian.
constexpr std::array<std::uint64_t, 256> kSpread = [] {
  std::array<std::uint64_t, 256> table{};
  for (int bits = 0; bits < 256; ++bits) {
    for (int k = 0; k < 8; ++k) {
      table[bits] |= static_cast<std::uint64_t>((bits >> k) & 1) << (8 * k);
    }
  }
  return table;
}();

// A 64 × 64 bit matrix transposed in place: bit c of a[r] becomes bit r of
// a[c] (swapping ever smaller blocks across the diagonal).
void Transpose64(std::uint64_t a[64]) {
  std::uint64_t m = 0x00000000FFFFFFFF;
  for (int j = 32; j != 0; j >>= 1, m ^= m << j) {
    for (int k = 0; k < 64; k = ((k | j) + 1) & ~j) {
      const std::uint64_t t = ((a[k] >> j) ^ a[k | j]) & m;
      a[k] ^= t << j;
      a[k | j] ^= t;
    }
  }
}

// The columns of the `width` × `width` modules given by rows.
template <std::size_t kN>
void Transpose(const Lines<kN>& rows, int width, Lines<kN>& columns) {
  std::uint64_t block[64];
  for (std::size_t bi = 0; bi < kN; ++bi) {
    for (std::size_t bj = 0; bj < kN; ++bj) {
      for (int r = 0; r < 64; ++r) {
        const int y = 64 * static_cast<int>(bi) + r;
        block[r] = y < width ? rows[y][bj] : 0;
      }
      Transpose64(block);
      for (int c = 0; c < 64; ++c) {
        const int x = 64 * static_cast<int>(bj) + c;
        if (x < width) columns[x][bi] = block[c];
      }
    }
  }
}

template <std::size_t kN>
std::vector<std::uint8_t> Choose(const QRcode& code, QRecLevel level) {
  const int width = code.width;
  const Patterns<kN>& patterns = PatternsFor<kN>(width);
  // qrencode.h: bit 0 dark, bit 7 a module the mask leaves alone.
  Lines<kN> dark_rows{}, function_rows{};
  for (int i = 0; i < width; ++i) {
    const std::uint8_t* row = code.data + static_cast<std::size_t>(i) * width;
    for (int j = 0; j < width; j += 8) {
      std::uint64_t eight = 0;
      std::memcpy(&eight, row + j,
                  static_cast<std::size_t>(std::min(8, width - j)));
      dark_rows[i][j / 64] |= PackBytes(eight) << (j % 64);
      function_rows[i][j / 64] |= PackBytes(eight >> 7) << (j % 64);
    }
  }
  Lines<kN> dark_columns{}, function_columns{};
  Transpose(dark_rows, width, dark_columns);
  Transpose(function_rows, width, function_columns);
  // `data`: the data modules unmasked (from pattern 000); `fixed`: the
  // function modules but the format information's; `free`: the modules a
  // mask inverts.
  const Line<kN> all = FirstBits<kN>(width);
  Lines<kN> data_rows, data_columns, fixed_rows, fixed_columns;
  Lines<kN> free_rows, free_columns;
  for (int k = 0; k < width; ++k) {
    free_rows[k] = ~function_rows[k] & all;
    free_columns[k] = ~function_columns[k] & all;
    data_rows[k] = (dark_rows[k] ^ patterns.rows[0][k]) & free_rows[k];
    data_columns[k] =
        (dark_columns[k] ^ patterns.columns[0][k]) & free_columns[k];
    fixed_rows[k] = dark_rows[k] & function_rows[k];
    fixed_columns[k] = dark_columns[k] & function_columns[k];
  }
  ForFormatModules(width, [&](int x, int y, int) {
    SetBit<kN>(fixed_rows[y], x, false);
    SetBit<kN>(fixed_columns[x], y, false);
  });
  Lines<kN> rows, columns;
  auto mask_with = [&](int mask, bool with_columns) {
    for (int k = 0; k < width; ++k) {
      rows[k] = (data_rows[k] ^ (patterns.rows[mask][k] & free_rows[k])) |
                fixed_rows[k];
      if (with_columns) {
        columns[k] =
            (data_columns[k] ^ (patterns.columns[mask][k] & free_columns[k])) |
            fixed_columns[k];
      }
    }
    const int format = FormatInformation(level, mask);
    ForFormatModules(width, [&](int x, int y, int k) {
      const bool dark = (format >> (14 - k)) & 1;
      SetBit<kN>(rows[y], x, dark);
      if (with_columns) SetBit<kN>(columns[x], y, dark);
    });
  };
  int best_mask = 0, best_points = 0;
  for (int mask = 0; mask < 8; ++mask) {
    mask_with(mask, true);
    const int points = Penalty(rows, columns, width);
    if (mask == 0 || points < best_points) {
      best_mask = mask;
      best_points = points;
    }
  }
  mask_with(best_mask, false);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(width) * width);
  std::uint8_t* to = out.data();
  for (int i = 0; i < width; ++i) {
    for (int j = 0; j < width; j += 8, to += 8) {
      const std::uint64_t eight = kSpread[(rows[i][j / 64] >> (j % 64)) & 0xff];
      std::memcpy(to, &eight, static_cast<std::size_t>(std::min(8, width - j)));
    }
    to -= (8 - width % 8) % 8;
  }
  return out;
}

}  // namespace

std::vector<std::uint8_t> LowestPenaltyModules(const QRcode& code,
                                               QRecLevel level) {
  // The finder-like test reads up to 4 bits past the width (light: the
  // quiet zone, §6.3.8): versions 1-10 in one word a line, 11-26 in two,
  // 27-40 in three.
  if (code.width + 4 <= 64) return Choose<1>(code, level);
  if (code.width + 4 <= 128) return Choose<2>(code, level);
  return Choose<3>(code, level);
}

}  // namespace openmyna::qr
