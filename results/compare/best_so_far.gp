set terminal pngcairo size 900,600 noenhanced
set output 'best_so_far.png'
set xlabel "evaluations"
set ylabel "observed best / gahpo-candle's first (geometric mean over problems)"
set logscale y
set key outside right
set grid

plot 'best_so_far.dat' index 0 with lines lw 2 title 'gahpo-tuned', 'best_so_far.dat' index 1 with lines lw 2 title 'gahpo-candle', 'best_so_far.dat' index 2 with lines lw 2 title 'deap-candle', 'best_so_far.dat' index 3 with lines lw 2 title 'optuna-tpe', 'best_so_far.dat' index 4 with lines lw 2 title 'optuna-cmaes', 'best_so_far.dat' index 5 with lines lw 2 title 'random'
