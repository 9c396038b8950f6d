/* cmd_plot.h - the `gahpo plot-space` subcommand. */
#ifndef GA_CMD_PLOT_H
#define GA_CMD_PLOT_H

/* gahpo plot-space --space FILE --log LOG --out DIR [--objective KEY]
 * [--params a,b,...] */
int gahpo_cmd_plot_space(int argc, char **argv);

#endif
