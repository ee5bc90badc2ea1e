/*
 * gen.c — synthetic matching instance for bench/match: N offers and N
 * requests (default 10,000 each) over 10 materials, 8 regions (Ganzhou and
 * Shenzhen districts, Baotou, two abroad), every directed lane with 1-2
 * options, 12 periods of 2026, prices and caps drawn so that about 1e6
 * (offer, request) pairs are compatible.  Deterministic for a seed.
 *
 * usage: gen DIR [N] [SEED]  -> DIR/offers.csv DIR/requests.csv DIR/lanes.csv
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state;

static uint64_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static int pick(int lo, int hi)
{
    return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

static const char *const regions[] = {"zhanggong", "longnan", "xunwu", "nanshan",
                                      "baoan",     "baotou",  "de_bw", "us_mi"};
static const char *const mats[] = {"nd2o3",     "pr6o11",   "dy2o3",   "tb4o7",   "prnd_oxide",
                                   "ndpr_metal", "alloy_n52", "mag_n52", "mag_n42sh", "magnet_scrap"};

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen DIR [N] [SEED]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 10000;
    state = argc > 3 ? strtoull(argv[3], NULL, 10) : 20260101;
    if (!state)
        state = 1;
    FILE *f = open_out(argv[1], "lanes.csv");
    fprintf(f, "from_region,to_region,cost_per_unit,transit_periods\n");
    for (int a = 0; a < 8; a++)
        for (int b = 0; b < 8; b++) {
            if (a == b)
                continue;
            int far = (a >= 6) != (b >= 6);
            int t = far ? 2 : pick(0, 1);
            fprintf(f, "%s,%s,%d.%02d,%d\n", regions[a], regions[b], far ? pick(20, 40) : pick(1, 8),
                    pick(0, 99), t);
            if (pick(0, 1)) /* a faster, dearer option */
                fprintf(f, "%s,%s,%d.%02d,%d\n", regions[a], regions[b], far ? pick(60, 90) : pick(9, 15),
                        pick(0, 99), t > 0 ? t - 1 : 0);
        }
    fclose(f);
    f = open_out(argv[1], "offers.csv");
    fprintf(f, "id,org,material,region,quantity,unit_price,period_from,period_to,purity\n");
    for (int i = 0; i < n; i++) {
        int from = pick(1, 12), to = from + pick(0, 4);
        if (to > 12)
            to = 12;
        int reg = pick(0, 9);
        reg = reg < 4 ? pick(0, 2) : reg < 8 ? pick(3, 4) : pick(5, 7);
        fprintf(f, "O%05d,org%03d,%s,%s,%d.%03d,%d.%02d,2026-%02d,2026-%02d,", i, pick(1, 300),
                mats[pick(0, 9)], regions[reg], pick(1, 500), pick(0, 999), pick(100, 180),
                pick(0, 99), from, to);
        if (pick(0, 2))
            fprintf(f, "99.%d", pick(0, 9));
        fputc('\n', f);
    }
    fclose(f);
    f = open_out(argv[1], "requests.csv");
    fprintf(f, "id,org,material,region,quantity,max_unit_price,due_period,min_purity\n");
    for (int i = 0; i < n; i++) {
        int reg = pick(0, 9);
        reg = reg < 3 ? pick(0, 2) : reg < 8 ? pick(3, 4) : pick(5, 7);
        fprintf(f, "R%05d,org%03d,%s,%s,%d.%03d,%d.%02d,2026-%02d,", i, pick(1, 300),
                mats[pick(0, 9)], regions[reg], pick(1, 400), pick(0, 999), pick(100, 158),
                pick(0, 99), pick(1, 12));
        if (!pick(0, 3))
            fprintf(f, "99.%d", pick(0, 5));
        fputc('\n', f);
    }
    fclose(f);
    return 0;
}
